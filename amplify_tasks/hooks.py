"""Hooks around every task: pre-built hooks, Python callables from the invoke config and
scripts in the hooks folder, run in that order with a JSON input and HOSTING_* variables.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import importlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import HookError, HostingError
from .project import Project
from .settings import Settings

#: Tasks that fire a pre and a post event; the publish steps fire theirs inside publish.
TASK_EVENTS = ("add", "configure", "publish", "remove")
PUBLISH_STEPS = ("deploy", "sync")
#: Every event, in the order a run of each task fires them.
EVENTS: tuple[str, ...] = (
    "pre-add",
    "post-add",
    "pre-configure",
    "post-configure",
    "pre-publish",
    "pre-deploy",
    "post-deploy",
    "pre-sync",
    "post-sync",
    "post-publish",
    "pre-remove",
    "post-remove",
)
#: The JSON schema of the document hook scripts read on stdin.
SCHEMA_PATH = Path(__file__).parent / "schemas" / "hook-input.schema.json"

#: Setting this to 1 (or true/yes/on) skips user hooks, as --no-hooks does.
DISABLE_ENV = "AMPLIFY_TASKS_DISABLE_HOOKS"
#: Version of the JSON document hooks read on stdin (schemas/hook-input.schema.json).
INPUT_VERSION = 1
#: Script names with these extensions are never run (kept for reference or switched off).
IGNORED_EXTENSIONS = frozenset({".sample", ".disabled", ".md", ".txt"})
#: Interpreters for script extensions; any other script must be executable itself.
INTERPRETERS: dict[str, Callable[[], list[str]]] = {
    ".sh": lambda: ["bash"],
    ".py": lambda: [sys.executable],
}

_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD", re.IGNORECASE)
_MASK = "***"


class Kind(str, enum.Enum):
    """The three kinds of hooks, in the order they run within an event."""

    BUILTIN = "built-in"
    PYTHON = "python"
    SCRIPT = "script"


@dataclass
class HookContext:
    """What a hook knows: the event, the task and its arguments, settings, outputs, error.

    Python hooks receive this object; scripts receive it as JSON (``to_json``).
    """

    task: str
    stage: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    settings: Settings | None = None  # once loaded
    outputs: Any = None  # StackOutputs (or a mapping), once the stack is known
    project: Project | None = None
    event: str = ""
    error: str | None = None
    error_type: str | None = None

    def arg(self, name: str, default: Any = None) -> Any:
        """A task argument by name (``skip_build``, ``allow_dirty``, ``dry_run``...)."""
        return self.args.get(name, default)

    def failed(self, exc: BaseException) -> None:
        """Record a failure so post hooks are given it."""
        self.error = str(exc) or type(exc).__name__
        self.error_type = type(exc).__name__


@dataclass(frozen=True)
class Hook:
    """One runnable hook: its kind, name, a line describing it, and how to run it."""

    kind: Kind
    name: str
    description: str
    run: Callable[[HookContext], None] = field(repr=False, compare=False)


@dataclass(frozen=True)
class HookDescription:
    """A hook as `inv hosting.hooks` lists it."""

    kind: str
    name: str
    description: str


@dataclass(frozen=True)
class Builtin:
    """A pre-built hook: the event it serves, when it is on, and its body."""

    name: str
    event: str
    description: str
    enabled: Callable[[Settings | None, Mapping[str, Any]], bool]  # (settings, args) -> on?
    run: Callable[[HookContext], None]


# -- switches --------------------------------------------------------------------------------
def user_hooks_enabled(no_hooks_flag: bool = False) -> bool:
    """False under ``--no-hooks`` or AMPLIFY_TASKS_DISABLE_HOOKS=1; pre-built hooks still run."""
    if no_hooks_flag:
        return False
    value = os.environ.get(DISABLE_ENV, "").strip().lower()
    return value not in {"1", "true", "yes", "on"}


def check_event(event: str) -> str:
    if event not in EVENTS:
        raise HookError(f"unknown hook event {event!r}: use one of {', '.join(EVENTS)}")
    return event


# -- secrets ---------------------------------------------------------------------------------
def is_secret_name(name: str) -> bool:
    """AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and any *SECRET*, *TOKEN*, *PASSWORD* name."""
    return bool(_SECRET_NAME.search(name))


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of secret-named environment variables, longest first, to mask in text."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if is_secret_name(k) and len(v) >= 8}
    return sorted(values, key=len, reverse=True)


def mask(text: str, secrets: Sequence[str]) -> str:
    for value in secrets:
        text = text.replace(value, _MASK)
    return text


def scrub(value: Any, secrets: Sequence[str] = ()) -> Any:
    """A JSON-ready copy of ``value`` without secret-named keys and with secret values masked."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): scrub(v, secrets) for k, v in value.items() if not is_secret_name(str(k))}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return mask(value, secrets)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask(str(value), secrets)


def as_mapping(value: Any) -> dict[str, Any] | None:
    """Settings or stack outputs (dataclass, mapping or object with to_dict) as a dict."""
    if value is None:
        return None
    for method in ("to_dict", "as_dict"):
        fn = getattr(value, method, None)
        if callable(fn):
            return dict(fn())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return dict(value)
    return {k: v for k, v in vars(value).items() if not k.startswith("_")}


# -- the JSON contract and the environment ---------------------------------------------------
def hook_input(ctx: HookContext, hook_name: str, secrets: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON document a hook reads on stdin (schemas/hook-input.schema.json)."""
    error = None
    if ctx.error is not None:
        error = {"message": mask(ctx.error, secrets), "type": ctx.error_type or "Error"}
    return {
        "version": INPUT_VERSION,
        "event": ctx.event,
        "hook": hook_name,
        "task": ctx.task,
        "stage": ctx.stage,
        "args": scrub(ctx.args, secrets),
        "settings": scrub(as_mapping(ctx.settings), secrets),
        "outputs": scrub(as_mapping(ctx.outputs), secrets),
        "error": error,
        "project_root": str(ctx.project.root) if ctx.project else "",
    }


def _env_name(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).strip("_").upper() for p in parts)


def _env_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def hook_env(document: Mapping[str, Any], base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment without secrets, plus HOSTING_* variables for the input.

    HOSTING_EVENT, _HOOK, _TASK, _STAGE, _PROJECT_ROOT, _ERROR, _ERROR_TYPE, and one
    HOSTING_ARG_<NAME>, HOSTING_SETTING_<NAME>, HOSTING_OUTPUT_<NAME> per field.
    """
    env = {k: v for k, v in (os.environ if base is None else base).items()}
    env = {k: v for k, v in env.items() if not is_secret_name(k)}
    for key in ("event", "hook", "task", "stage", "project_root"):
        env[_env_name("HOSTING", key)] = _env_value(document.get(key))
    error = document.get("error")
    if error:
        env["HOSTING_ERROR"] = str(error["message"])
        env["HOSTING_ERROR_TYPE"] = str(error["type"])
    for section, prefix in (("args", "ARG"), ("settings", "SETTING"), ("outputs", "OUTPUT")):
        for key, value in (document.get(section) or {}).items():
            env[_env_name("HOSTING", prefix, key)] = _env_value(value)
    return env


# -- output ----------------------------------------------------------------------------------
def emit(name: str, line: str, secrets: Sequence[str] = ()) -> None:
    """One line of a hook's output, prefixed with the hook's name."""
    out = sys.stdout
    out.write(f"[{name}] {mask(line.rstrip(chr(10)).rstrip(chr(13)), secrets)}\n")
    out.flush()


class _PrefixWriter(io.TextIOBase):
    """A text stream that emits each complete line with a hook's name as prefix."""

    def __init__(self, name: str, target: IO[str], secrets: Sequence[str]) -> None:
        self.name, self.target, self.secrets, self.buffer = name, target, secrets, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.buffer += text
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            self.target.write(f"[{self.name}] {mask(line, self.secrets)}\n")
        self.target.flush()
        return len(text)

    def flush(self) -> None:
        if self.buffer:
            self.write("\n")


def stream_command(
    name: str,
    argv: Sequence[str] | str,
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin_text: str | None = None,
    secrets: Sequence[str] = (),
) -> int:
    """Run a command, stream its stdout and stderr line by line with ``name`` as prefix,
    and return its exit status. A string runs under the shell.
    """
    with tempfile.TemporaryFile("w+b") as stdin:
        if stdin_text is not None:
            stdin.write(stdin_text.encode("utf-8"))
            stdin.seek(0)
        try:
            proc = subprocess.Popen(
                argv,
                shell=isinstance(argv, str),
                cwd=str(cwd),
                env=dict(env) if env is not None else None,
                stdin=stdin if stdin_text is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        except OSError as exc:
            raise HookError(f"hook {name!r} could not start ({exc}): check the command") from exc
        assert proc.stdout is not None
        with proc:
            for raw in proc.stdout:
                emit(name, raw.decode("utf-8", "replace"), secrets)
        return proc.wait()


# -- the three kinds -------------------------------------------------------------------------
def builtin_hooks() -> tuple[Builtin, ...]:
    from .hooks_builtin import BUILTINS

    return BUILTINS


def _builtin_for(event: str, settings: Settings | None, args: Mapping[str, Any]) -> list[Hook]:
    return [
        Hook(Kind.BUILTIN, b.name, b.description, b.run)
        for b in builtin_hooks()
        if b.event == event and b.enabled(settings, args)
    ]


def python_hook_names(project: Project, event: str) -> list[str]:
    """The ``module:function`` names under invoke config ``hosting.hooks.<event>``."""
    table = project.get("hooks") or {}
    if not isinstance(table, Mapping):
        raise HookError(
            "invoke config hosting.hooks must map event names to lists of 'module:function'"
        )
    unknown = sorted(set(map(str, table)) - set(EVENTS))
    if unknown:
        raise HookError(
            f"invoke config hosting.hooks names unknown event(s) {', '.join(unknown)}: "
            f"use {', '.join(EVENTS)}"
        )
    names = table.get(event) or []
    if isinstance(names, str):
        names = [names]
    for name in names:
        if not isinstance(name, str) or name.count(":") != 1 or name.startswith(":"):
            raise HookError(
                f"hook {name!r} under hosting.hooks.{event} is not 'module:function': "
                "name a function as package.module:function"
            )
    return list(names)


def load_callable(project: Project, spec: str, event: str) -> Callable[[HookContext], Any]:
    """Import ``module:function``; the project root is importable as in its tasks.py."""
    module_name, func_name = spec.split(":")
    root = str(project.root)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise HookError(
            f"cannot import hook {spec!r} (hosting.hooks.{event}): {type(exc).__name__}: {exc} "
            f"-- make {module_name} importable from {project.root}"
        ) from exc
    func = getattr(module, func_name, None)
    if not callable(func):
        raise HookError(
            f"hook {spec!r} (hosting.hooks.{event}): {module_name} has no function "
            f"{func_name}: fix the name in the invoke config"
        )
    return func


def _python_hook(project: Project, spec: str, event: str) -> Hook:
    def run(ctx: HookContext) -> None:
        func = load_callable(project, spec, event)
        secrets = secret_values()
        writer = _PrefixWriter(spec, sys.stdout, secrets)
        try:
            with contextlib.redirect_stdout(writer):
                func(ctx)
        except HostingError as exc:
            raise HookError(f"{event} hook {spec!r} failed: {exc}") from exc
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise HookError(
                    f"{event} hook {spec!r} failed with exit status {exc.code}"
                ) from exc
        except Exception as exc:
            raise HookError(f"{event} hook {spec!r} raised {type(exc).__name__}: {exc}") from exc
        finally:
            writer.flush()

    return Hook(Kind.PYTHON, spec, f"Python callable from hosting.hooks.{event}", run)


def script_paths(project: Project, event: str) -> list[Path]:
    """Files in the hooks folder named ``<event>`` or ``<event>.<ext>``, sorted by name."""
    folder = project.hooks_dir
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        stem, dot, ext = path.name.partition(".")
        if stem != event or not path.is_file() or path.name.endswith("~"):
            continue
        if dot and ("." in ext or f".{ext}" in IGNORED_EXTENSIONS):
            continue
        found.append(path)
    return sorted(found)


def script_command(path: Path) -> list[str]:
    """How a script runs: .sh under bash, .py under this Python, else the file itself."""
    interpreter = INTERPRETERS.get(path.suffix.lower())
    if interpreter is not None:
        return [*interpreter(), str(path)]
    if not os.access(path, os.X_OK):
        raise HookError(
            f"hook script {path} is not executable: `chmod +x {path}`, or name it "
            f"{path.stem}.sh or {path.stem}.py"
        )
    return [str(path)]


def _describe_script(path: Path) -> str:
    interpreter = INTERPRETERS.get(path.suffix.lower())
    how = "executable" if interpreter is None else f"under {Path(interpreter()[0]).name}"
    return f"script, {how}"


def _script_hook(project: Project, path: Path, event: str) -> Hook:
    name = path.name

    def run(ctx: HookContext) -> None:
        argv = script_command(path)
        secrets = secret_values()
        document = hook_input(ctx, name, secrets)
        status = stream_command(
            name,
            argv,
            cwd=project.root,
            env=hook_env(document),
            stdin_text=json.dumps(document, indent=2),
            secrets=secrets,
        )
        if status != 0:
            raise HookError(
                f"{event} hook {name!r} failed with exit status {status}: "
                f"fix {path} or skip user hooks with --no-hooks"
            )

    return Hook(Kind.SCRIPT, name, _describe_script(path), run)


def hooks_for(
    project: Project,
    event: str,
    settings: Settings | None = None,
    args: Mapping[str, Any] | None = None,
    *,
    user_hooks: bool = True,
) -> list[Hook]:
    """Every hook an event runs, in order: pre-built, Python callables, scripts."""
    check_event(event)
    hooks = _builtin_for(event, settings, args or {})
    if user_hooks:
        hooks += [_python_hook(project, s, event) for s in python_hook_names(project, event)]
        hooks += [_script_hook(project, p, event) for p in script_paths(project, event)]
    return hooks


# -- running ---------------------------------------------------------------------------------
def run_event(project: Project, event: str, ctx: HookContext, *, user_hooks: bool = True) -> None:
    """Run an event's hooks. A pre event stops at the first failure; a post event runs every
    hook (later ones are given the failure) and then raises the first failure as HookError.
    """
    ctx.event = event
    ctx.project = ctx.project or project
    first: HookError | None = None
    for hook in hooks_for(project, event, ctx.settings, ctx.args, user_hooks=user_hooks):
        try:
            hook.run(ctx)
        except HookError as exc:
            if event.startswith("pre-"):
                raise
            first = first or exc
            if ctx.error is None:
                ctx.failed(exc)
        except HostingError as exc:
            wrapped = HookError(f"{event} hook {hook.name!r} failed: {exc}")
            if event.startswith("pre-"):
                raise wrapped from exc
            first = first or wrapped
            if ctx.error is None:
                ctx.failed(wrapped)
    if first is not None:
        raise first


@contextlib.contextmanager
def around(
    project: Project, step: str, ctx: HookContext, *, user_hooks: bool = True
) -> Iterator[HookContext]:
    """Run ``pre-<step>``, the body, then ``post-<step>`` (also after a failure, with the error).

    ``step`` is a task (add, configure, publish, remove) or a publish step (deploy, sync).
    After a failure the original error is re-raised; a post hook's own failure is then
    printed, not raised.
    """
    pre, post = check_event(f"pre-{step}"), check_event(f"post-{step}")
    run_event(project, pre, ctx, user_hooks=user_hooks)
    try:
        yield ctx
    except Exception as exc:
        ctx.failed(exc)
        try:
            run_event(project, post, ctx, user_hooks=user_hooks)
        except HookError as hook_exc:
            sys.stderr.write(f"warning: {hook_exc}\n")
        raise
    ctx.error = ctx.error_type = None
    run_event(project, post, ctx, user_hooks=user_hooks)


# -- listing ---------------------------------------------------------------------------------
def list_hooks(
    project: Project,
    settings: Settings | None = None,
    args: Mapping[str, Any] | None = None,
    *,
    user_hooks: bool = True,
) -> dict[str, list[HookDescription]]:
    """For each event, the hooks that would run (pre-built ones as the settings turn them on)."""
    return {
        event: [
            HookDescription(h.kind.value, h.name, h.description)
            for h in hooks_for(project, event, settings, args, user_hooks=user_hooks)
        ]
        for event in EVENTS
    }

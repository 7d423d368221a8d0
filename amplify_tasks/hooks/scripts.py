"""Script hooks: files named ``<event>`` or ``<event>.<ext>`` in the hooks folder, run with
the JSON document on stdin and HOSTING_* variables.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from amplify_tasks.errors import HookError
from amplify_tasks.project import Project
from amplify_tasks.secret import secret_values

from .model import Hook, HookContext, Kind
from .output import stream_command

#: Script names with these extensions are never run (kept for reference or switched off).
IGNORED_EXTENSIONS = frozenset({".sample", ".disabled", ".md", ".txt"})

#: Interpreters for script extensions; any other script must be executable itself.
INTERPRETERS: dict[str, Callable[[], list[str]]] = {
    ".sh": lambda: ["bash"],
    ".py": lambda: [sys.executable],
}


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


def script_hook(project: Project, path: Path, event: str) -> Hook:
    name = path.name

    def run(ctx: HookContext) -> None:
        from .document import hook_env, hook_input

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

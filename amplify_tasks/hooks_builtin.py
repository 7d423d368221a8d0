"""The pre-built hooks: require-clean-git and build (pre-publish), export-outputs
(post-deploy) and smoke-test (post-publish), each switched on by the stage's settings.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import HookError
from .hooks import Builtin, HookContext, as_mapping, emit, scrub, secret_values, stream_command
from .settings import Settings

#: The longest a single smoke-test request may take, in seconds.
SMOKE_REQUEST_TIMEOUT = 10.0
#: Bytes of the root document read to decide whether it is HTML.
SMOKE_SNIFF_BYTES = 4096
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_UNTYPED = ("", "application/octet-stream", "binary/octet-stream")


def _settings(ctx: HookContext) -> Settings:
    if ctx.settings is None:
        raise HookError(f"{ctx.event} hooks need the stage's settings: pass --stage")
    return ctx.settings


def _root(ctx: HookContext) -> Path:
    return ctx.project.root if ctx.project else Path.cwd()


# -- build -----------------------------------------------------------------------------------
def build_enabled(settings: Settings | None, args: Mapping[str, Any]) -> bool:
    return settings is not None and bool(settings.build_command) and not args.get("skip_build")


def run_build(ctx: HookContext) -> None:
    """Run HOSTING_BUILD_COMMAND under the shell in the project root, output streamed.

    The build command is the project's own, so it keeps the whole environment.
    """
    command = _settings(ctx).build_command
    env = {**os.environ, "HOSTING_STAGE": ctx.stage}
    status = stream_command("build", command, cwd=_root(ctx), env=env, secrets=secret_values())
    if status != 0:
        raise HookError(
            f"{ctx.event} hook 'build' failed: `{command}` exited with status {status}; "
            "fix the build (nothing was uploaded) or publish with --skip-build"
        )


# -- require-clean-git -----------------------------------------------------------------------
def clean_git_enabled(settings: Settings | None, args: Mapping[str, Any]) -> bool:
    """On by HOSTING_REQUIRE_CLEAN_GIT (which defaults to HOSTING_CLOUDFRONT); --allow-dirty."""
    return settings is not None and settings.require_clean_git and not args.get("allow_dirty")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _generated_paths(ctx: HookContext) -> list[str]:
    """Paths publish itself writes, which never count as uncommitted changes."""
    settings = _settings(ctx)
    paths = [settings.dist_dir, settings.export_outputs]
    if ctx.project is not None:
        paths.append(str(ctx.project.get("state_dir") or ""))
    return [p for p in paths if p and not Path(p).is_absolute()]


def uncommitted_changes(root: Path, exclude: list[str]) -> list[str] | None:
    """``git status --porcelain`` lines under ``root`` (untracked included), or None when
    ``root`` is not inside a git work tree or git is not installed.
    """
    try:
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
    except OSError:
        return None
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return None
    pathspec = [".", *(f":(exclude){p}" for p in exclude)]
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *pathspec)
    if status.returncode != 0:
        raise HookError(
            f"pre-publish hook 'require-clean-git' could not run git status in {root}: "
            f"{status.stderr.strip()}; fix the repository or publish with --allow-dirty"
        )
    return [line for line in status.stdout.splitlines() if line.strip()]


def run_require_clean_git(ctx: HookContext) -> None:
    """Refuse to publish while the project folder has uncommitted or untracked changes.

    Outside a git work tree (or without git) there is nothing to check: it says so and passes.
    """
    root = _root(ctx)
    changes = uncommitted_changes(root, _generated_paths(ctx))
    if changes is None:
        emit("require-clean-git", f"{root} is not in a git work tree: nothing to check")
        return
    if changes:
        shown = ", ".join(line.strip() for line in changes[:5])
        more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
        raise HookError(
            f"{ctx.event} hook 'require-clean-git' failed: {len(changes)} uncommitted "
            f"change(s) in {root} ({shown}{more}): commit them, or publish with --allow-dirty"
        )
    emit("require-clean-git", "working tree is clean")


# -- export-outputs --------------------------------------------------------------------------
def export_enabled(settings: Settings | None, args: Mapping[str, Any]) -> bool:
    return settings is not None and bool(settings.export_outputs)


def outputs_document(ctx: HookContext) -> dict[str, Any]:
    """What export-outputs writes: the stage and every stack output, secrets left out."""
    outputs = scrub(as_mapping(ctx.outputs) or {})
    return {"stage": ctx.stage, **outputs}


def run_export_outputs(ctx: HookContext) -> None:
    """Write the stack outputs as JSON to HOSTING_EXPORT_OUTPUTS (relative to the project)."""
    if ctx.error is not None or ctx.outputs is None or ctx.arg("dry_run"):
        emit("export-outputs", "no stack outputs in this run: nothing written")
        return
    target = _root(ctx) / _settings(ctx).export_outputs
    body = json.dumps(outputs_document(ctx), indent=2, sort_keys=True) + "\n"
    try:
        if target.is_file() and target.read_text(encoding="utf-8") == body:
            emit("export-outputs", f"{target} is up to date")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise HookError(
            f"{ctx.event} hook 'export-outputs' cannot write {target}: {exc}; "
            "fix HOSTING_EXPORT_OUTPUTS or the folder's permissions"
        ) from exc
    emit("export-outputs", f"wrote {target}")


# -- smoke-test ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fetched:
    """One smoke-test response: status, content type and the start of the body."""

    status: int
    content_type: str
    head: bytes


def fetch(url: str, timeout: float) -> Fetched:
    """GET ``url``; an HTTP error status is a result, a connection failure raises OSError."""
    request = urllib.request.Request(url, headers={"User-Agent": "amplify-tasks smoke-test"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            ctype = resp.headers.get("Content-Type", "")
            return Fetched(resp.status, ctype, resp.read(SMOKE_SNIFF_BYTES))
    except urllib.error.HTTPError as exc:
        ctype = exc.headers.get("Content-Type", "") if exc.headers else ""
        return Fetched(exc.code, ctype, exc.read(SMOKE_SNIFF_BYTES) if exc.fp else b"")


def looks_like_html(result: Fetched) -> bool:
    """A text/html (or XHTML) type; an untyped body is sniffed for a doctype or <html>."""
    ctype = result.content_type.split(";")[0].strip().lower()
    if ctype in _HTML_TYPES:
        return True
    if ctype not in _UNTYPED:
        return False
    start = result.head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))


def smoke_check(
    url: str,
    timeout: float,
    *,
    fetcher: Callable[[str, float], Fetched] = fetch,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Fetched:
    """Fetch ``url`` until a 2xx answer or ``timeout`` seconds pass; the answer must be HTML.

    Raises HookError naming the URL and the last status (or connection error).
    """
    deadline = clock() + timeout
    attempts, delay = 0, 0.5
    while True:
        attempts += 1
        remaining = max(deadline - clock(), 0.1)
        try:
            result = fetcher(url, min(SMOKE_REQUEST_TIMEOUT, remaining))
            last = f"status {result.status}"
        except OSError as exc:
            result, last = None, f"no answer ({exc})"
        if result is not None and 200 <= result.status < 300:
            if not looks_like_html(result):
                raise HookError(
                    f"GET {url} returned {result.status} with "
                    f"{result.content_type or 'no content type'}, not an HTML page: check the "
                    "index document setting and that it was uploaded as text/html"
                )
            return result
        if clock() + delay > deadline:
            raise HookError(
                f"GET {url} gave {last} after {attempts} attempt(s) in "
                f"{timeout:g}s: check that the index document was uploaded, or raise "
                "HOSTING_SMOKE_TIMEOUT (HOSTING_SMOKE_TEST=false turns the test off)"
            )
        sleep(delay)
        delay = min(delay * 2, 5.0)


def site_url(outputs: Any) -> str:
    """The URL users reach the site at (under the emulator, the distribution's preview)."""
    from .site import working_url

    if outputs is not None and not isinstance(outputs, Mapping):
        return working_url(outputs)
    data = as_mapping(outputs) or {}
    return str(data.get("site_url") or "")


def smoke_enabled(settings: Settings | None, args: Mapping[str, Any]) -> bool:
    return settings is not None and settings.smoke_test


def run_smoke_test(ctx: HookContext) -> None:
    """GET the site URL with retries up to HOSTING_SMOKE_TIMEOUT; fail on non-2xx or non-HTML."""
    url = site_url(ctx.outputs)
    if ctx.error is not None or ctx.arg("dry_run") or not url:
        emit("smoke-test", "nothing was published in this run: skipped")
        return
    from .local.control import is_loopback_url
    from .site import emulator_endpoint

    if emulator_endpoint() and not is_loopback_url(url):
        emit("smoke-test", f"{url} is not on loopback while AWS_ENDPOINT_URL is: skipped")
        return
    timeout = float(_settings(ctx).smoke_timeout)
    try:
        result = smoke_check(url, timeout)
    except HookError as exc:
        raise HookError(f"{ctx.event} hook 'smoke-test' failed: {exc}") from None
    emit("smoke-test", f"GET {url} -> {result.status} {result.content_type}")


BUILTINS: tuple[Builtin, ...] = (
    Builtin(
        "require-clean-git",
        "pre-publish",
        "refuses uncommitted changes (HOSTING_REQUIRE_CLEAN_GIT; --allow-dirty overrides)",
        clean_git_enabled,
        run_require_clean_git,
    ),
    Builtin(
        "build",
        "pre-publish",
        "runs HOSTING_BUILD_COMMAND in the project root (--skip-build skips it)",
        build_enabled,
        run_build,
    ),
    Builtin(
        "export-outputs",
        "post-deploy",
        "writes the stack outputs as JSON to HOSTING_EXPORT_OUTPUTS",
        export_enabled,
        run_export_outputs,
    ),
    Builtin(
        "smoke-test",
        "post-publish",
        "GETs the site URL until 2xx HTML or HOSTING_SMOKE_TIMEOUT (HOSTING_SMOKE_TEST)",
        smoke_enabled,
        run_smoke_test,
    ),
)

"""The pre-built `require-clean-git` hook (pre-publish): refuse uncommitted changes."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from amplify_tasks.errors import DirtyTreeError, HookError
from amplify_tasks.hooks.model import HookContext
from amplify_tasks.hooks.output import emit
from amplify_tasks.settings import Settings


def clean_git_enabled(settings: Settings | None, args: Mapping[str, object]) -> bool:
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
    settings = ctx.require_settings()
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
    A dry run changes nothing, so it previews uncommitted changes too: it says so and passes.
    """
    if ctx.arg("dry_run"):
        emit("require-clean-git", "dry run: uncommitted changes are not checked")
        return
    root = ctx.root
    changes = uncommitted_changes(root, _generated_paths(ctx))
    if changes is None:
        emit("require-clean-git", f"{root} is not in a git work tree: nothing to check")
        return
    if changes:
        shown = ", ".join(line.strip() for line in changes[:5])
        more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
        raise DirtyTreeError(
            f"{ctx.event} hook 'require-clean-git' failed: {len(changes)} uncommitted "
            f"change(s) in {root} ({shown}{more}): commit them, or publish with --allow-dirty"
        )
    emit("require-clean-git", "working tree is clean")

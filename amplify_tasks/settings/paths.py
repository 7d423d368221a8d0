"""Paths the user gives stay inside the project: the dist folder (publish uploads it) and the
export-outputs file (a hook writes it), and neither lands on what the tool itself reads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .keys import key_of
from .model import Settings
from .validate import setting_error

if TYPE_CHECKING:
    from amplify_tasks.errors import SettingsError
    from amplify_tasks.project import Project


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _fail(
    settings: Settings, field_name: str, origins: Mapping[str, str], problem: str, fix: str
) -> SettingsError:
    key = key_of(field_name)
    return setting_error(key, str(getattr(settings, field_name)), origins.get(key), problem, fix)


def check_dist_dir(
    project: Project, settings: Settings, origins: Mapping[str, str] | None = None
) -> Path:
    """The dist folder, once it is neither the project root nor a folder holding it or the
    settings files, and inside the project unless HOSTING_ALLOW_DIST_OUTSIDE is true."""
    origins = origins or {}
    root = project.root.resolve()
    dist = project.root / settings.dist_dir
    resolved = dist.resolve()
    fix = "set HOSTING_DIST_DIR to the folder the build writes, like dist"
    if _within(root, resolved):
        raise _fail(
            settings,
            "dist_dir",
            origins,
            f"is {'the project root' if resolved == root else 'a folder holding the project'} "
            f"({resolved}): publish would upload tasks.py, amplify/ and every other file",
            fix,
        )
    if _within(project.env_dir.resolve(), resolved):
        raise _fail(settings, "dist_dir", origins, "holds the settings files (.env*)", fix)
    if not _within(resolved, root) and not settings.allow_dist_outside:
        raise _fail(
            settings,
            "dist_dir",
            origins,
            f"resolves to {resolved}, outside the project ({root})",
            "point it at a folder inside the project, or set HOSTING_ALLOW_DIST_OUTSIDE=true "
            "to publish that folder",
        )
    return dist


def _export_problem(project: Project, settings: Settings, target: Path) -> str | None:
    """Why the export-outputs file may not be ``target`` (resolved), or None."""
    root = project.root.resolve()
    if not _within(target, root):
        return f"points outside the project ({root})"
    if target.is_dir():
        return "is a folder"
    if target.parent == project.env_dir.resolve() and target.name.startswith(".env"):
        return f"is a settings file ({target.name})"
    if target == root / "tasks.py":
        return "is the project's tasks.py"
    if target == (project.root / settings.ignore_file).resolve():
        return "is the publish ignore file"
    folders = (
        ((project.root / settings.dist_dir).resolve(), "the dist folder, which publish uploads"),
        (project.state_dir.resolve(), "the tool's state folder"),
        (project.backend_dir.resolve(), "the rendered templates' folder"),
        (project.hooks_dir.resolve(), "the hooks folder"),
        (root / ".git", "the git folder"),
    )
    for folder, what in folders:
        if _within(target, folder):
            return f"lies in {what} ({os.path.relpath(folder, root)})"
    return None


def check_paths(project: Project, settings: Settings, origins: Mapping[str, str]) -> None:
    """Refuse a dist folder or an export-outputs path that leaves the project or lands on the
    tool's own files; SettingsError (one line) naming the key, the value and the fix."""
    check_dist_dir(project, settings, origins)
    if settings.export_outputs:
        target = (project.root / settings.export_outputs).resolve()
        problem = _export_problem(project, settings, target)
        if problem:
            raise _fail(
                settings,
                "export_outputs",
                origins,
                problem,
                "set HOSTING_EXPORT_OUTPUTS to a file of its own in the project, "
                "like src/amplify-outputs.json",
            )

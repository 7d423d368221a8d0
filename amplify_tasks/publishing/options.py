"""The flags of `inv publish` and the stage they resolve to."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from amplify_tasks.errors import SettingsError
from amplify_tasks.project import Project

#: AMPLIFY_TASKS_PROGRESS=bar|plain|off overrides the terminal detection of the progress output.
PROGRESS_ENV = "AMPLIFY_TASKS_PROGRESS"
Out = Callable[[str], None]


@dataclass(frozen=True)
class PublishOptions:
    """The flags of `inv publish`."""

    stage: str = ""
    invalidate: bool = False
    dry_run: bool = False
    yes: bool = False
    skip_build: bool = False
    skip_backend: bool = False
    force: bool = False
    verbose: bool = False
    wait: bool = False
    allow_dirty: bool = False
    no_hooks: bool = False
    allow_replace: bool = False
    preview: str = ""  # publish as this preview instead of making the release live
    expires: str = ""  # the preview's lifetime (default HOSTING_PREVIEW_EXPIRES)

    def as_args(self) -> dict[str, object]:
        return dict(self.__dict__)


def progress_tty_override() -> bool | None:
    """The terminal override from AMPLIFY_TASKS_PROGRESS, or None to detect."""
    mode = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if mode == "bar":
        return True
    if mode in {"plain", "off"}:
        return False
    return None


def resolve_stage(project: Project, stage: str) -> str:
    stage = stage or str(project.get("default_stage") or "")
    if not stage:
        raise SettingsError(
            "no stage given: pass --stage <name> (for example --stage dev), "
            "or set hosting.default_stage in your invoke config"
        )
    return stage

"""`inv hosting.settings`: every key of a stage, its value, where it came from and what it
means."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..project import Project
from ._edge import hosting_task

if TYPE_CHECKING:
    from invoke import Context

    from amplify_tasks.settings import SettingsReference


@hosting_task(
    help={
        "stage": "stage to show (default: hosting.default_stage)",
        "json": "print the settings as JSON",
    }
)
def settings(c: Context, stage: str = "", json: bool = False) -> None:
    """Show every setting of a stage: its value, where it is set and what it means."""
    from amplify_tasks.publishing import resolve_stage
    from amplify_tasks.settings import settings_reference

    project = Project.from_context(c)
    reference = settings_reference(project, resolve_stage(project, stage))
    print(reference.to_json() if json else "\n".join(_lines(reference)))


def _lines(reference: SettingsReference) -> list[str]:
    """The settings as people read them: one row per key."""
    from ..ui import table

    head = f"settings of stage {reference.stage} (a later source wins: {reference.sources()})"
    cells = [[r.key, r.value or "''", r.source, r.meaning] for r in reference.rows]
    return [head, *("  " + line for line in table(cells))]

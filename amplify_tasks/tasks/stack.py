"""`inv hosting.status`, `inv hosting.remove` and `inv hosting.unlock`: read a stage's
settings, call the stack core, print what it found or did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..project import Project
from ._edge import hosting_task
from ._hooked import hooked
from ._machine import machine_output

if TYPE_CHECKING:
    from collections.abc import Mapping

    from invoke import Context

    from amplify_tasks.stack import StatusReport


@hosting_task(
    help={
        "stage": "stage to show (default: hosting.default_stage)",
        "json": "print the report as one JSON document (schemas/status.schema.json), also "
        "on failure",
    }
)
def status(c: Context, stage: str = "", json: bool = False) -> None:
    """Show a stage's stack status, outputs, site URL, template drift and bucket contents."""
    from amplify_tasks.publishing import resolve_stage
    from amplify_tasks.settings import load_settings
    from amplify_tasks.stack import stage_status

    known: dict[str, object] = {"stage": stage}  # until the report is made: the stage
    found: list[StatusReport] = []

    def body() -> Mapping[str, object]:
        return found[0].document() if found else known

    with machine_output(body, json_output=json):
        project = Project.from_context(c)
        known["stage"] = name = resolve_stage(project, stage)
        found.append(stage_status(project, load_settings(project, name)))
        if not json:
            print("\n".join(found[0].lines()))


@hosting_task(
    help={
        "stage": "stage to take down (default: hosting.default_stage)",
        "yes": "do not ask for confirmation",
        "purge": "also delete .env.<stage> and the stage's rendered template",
        "no_hooks": "run no user hooks (pre-built hooks still run)",
    }
)
def remove(
    c: Context, stage: str = "", yes: bool = False, purge: bool = False, no_hooks: bool = False
) -> None:
    """Empty the stage's bucket, delete its stack and wait; keeps .env.<stage> unless --purge."""
    from amplify_tasks.publishing import resolve_stage
    from amplify_tasks.settings import load_settings
    from amplify_tasks.stack import confirmation, remove_stage

    project = Project.from_context(c)
    name = resolve_stage(project, stage)
    settings = load_settings(project, name)
    args = {"yes": yes, "purge": purge}
    with hooked(project, "remove", name, args, no_hooks=no_hooks, settings=settings):
        result = remove_stage(
            project,
            settings,
            confirm=(lambda _question: True) if yes else confirmation(name),
            purge=purge,
        )
    for path in result.purged:
        print(f"deleted {path}")
    if result.removed and not purge:
        print(f"kept {project.env_file(name).name}; `inv publish --stage {name}` deploys it again")


@hosting_task(
    help={
        "stage": "stage whose lock to remove (default: hosting.default_stage)",
        "yes": "do not ask for confirmation",
    }
)
def unlock(c: Context, stage: str = "", yes: bool = False) -> None:
    """Remove a stage's publish lock by hand (left by a publish that was killed)."""
    from amplify_tasks.errors import SettingsError
    from amplify_tasks.publishing import resolve_stage
    from amplify_tasks.settings import load_settings
    from amplify_tasks.stack import unlock_stage

    from ..prompt import Prompter, interactive

    project = Project.from_context(c)
    settings = load_settings(project, resolve_stage(project, stage))

    def confirm(question: str) -> bool:
        if yes:
            return True
        if not interactive():
            raise SettingsError(
                "hosting.unlock asks before it removes a lock: answer on a terminal, or pass --yes"
            )
        return Prompter().confirm(question, default=False)

    unlock_stage(settings, confirm=confirm)

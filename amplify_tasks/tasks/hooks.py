"""`inv hosting.hooks`: list, for each event, the hooks that would run in this project,
pre-built ones as the stage's settings turn them on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..project import Project
from ._edge import hosting_task

if TYPE_CHECKING:
    from invoke import Context

    from amplify_tasks.hooks import HookDescription


def render_listing(listing: Mapping[str, Sequence[HookDescription]], header: str) -> str:
    """The listing as text: one block per event, one line per hook, in run order."""
    lines = [header]
    width = max((len(h.name) for hooks in listing.values() for h in hooks), default=0)
    for event, hooks in listing.items():
        lines.append(f"{event}:")
        if not hooks:
            lines.append("  (none)")
        for hook in hooks:
            lines.append(f"  {hook.kind:<9} {hook.name:<{width}}  {hook.description}")
    return "\n".join(lines)


@hosting_task(
    help={"stage": "stage whose settings decide the pre-built hooks (default: default_stage)"}
)
def hooks(c: Context, stage: str = "") -> None:
    """List, for each event, the hooks that would run (pre-built, Python, scripts)."""
    from amplify_tasks import hooks as core

    project = Project.from_context(c)
    stage = stage or str(project.get("default_stage") or "")
    settings = None
    if stage:
        from amplify_tasks.settings import load_settings

        settings = load_settings(project, stage)
    user = core.user_hooks_enabled(False)
    listing = core.list_hooks(project, settings, user_hooks=user)
    where = f"stage {stage}" if stage else "no stage (pass --stage to see pre-built hooks)"
    header = f"hooks for {where}, in run order; scripts from {project.hooks_dir}"
    if not user:
        header += f"\nuser hooks are off ({core.DISABLE_ENV} is set)"
    print(render_listing(listing, header))

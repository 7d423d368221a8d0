"""Run a task body between its pre and post hook events, with the task's flags as the
hooks' arguments; `--no-hooks` or AMPLIFY_TASKS_DISABLE_HOOKS=1 skip the user hooks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..project import Project

if TYPE_CHECKING:
    from amplify_tasks.hooks import HookContext
    from amplify_tasks.settings import Settings
    from amplify_tasks.stack import StackOutputs


@contextlib.contextmanager
def hooked(
    project: Project,
    task: str,
    stage: str,
    args: Mapping[str, object],
    *,
    no_hooks: bool = False,
    settings: Settings | None = None,
    outputs: StackOutputs | Mapping[str, object] | None = None,
) -> Iterator[HookContext]:
    """``pre-<task>``, the body, ``post-<task>`` (also after a failure, given the error).

    Yields the HookContext: set ``ctx.settings`` / ``ctx.outputs`` once the body knows them.
    """
    from amplify_tasks.hooks import HookContext, around, user_hooks_enabled

    ctx = HookContext(
        task=task, stage=stage, args=args, settings=settings, outputs=outputs, project=project
    )
    with around(project, task, ctx, user_hooks=user_hooks_enabled(no_hooks)) as running:
        yield running

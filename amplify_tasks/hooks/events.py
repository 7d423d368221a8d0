"""The hook events: which tasks and publish steps fire a pre and a post event, and the
switch that turns user hooks off.
"""

from __future__ import annotations

import os

from amplify_tasks.errors import HookError

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


#: Setting this to 1 (or true/yes/on) skips user hooks, as --no-hooks does.
DISABLE_ENV = "AMPLIFY_TASKS_DISABLE_HOOKS"


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

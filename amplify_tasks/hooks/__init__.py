"""Hooks around every task: pre-built hooks, Python callables from the invoke config and
scripts in the hooks folder, run in that order with a JSON input and HOSTING_* variables.

The names load their modules on first use (``amplify_tasks.lazy``).
"""

from typing import TYPE_CHECKING

from amplify_tasks.lazy import lazy_names

if TYPE_CHECKING:
    from .document import SCHEMA_PATH, hook_input
    from .events import DISABLE_ENV, EVENTS, user_hooks_enabled
    from .model import HookContext, HookDescription
    from .runner import around, has_user_hooks, hooks_for, list_hooks, run_event
else:
    __getattr__ = lazy_names(
        __name__,
        {
            "document": ("SCHEMA_PATH", "hook_input"),
            "events": ("DISABLE_ENV", "EVENTS", "user_hooks_enabled"),
            "model": ("HookContext", "HookDescription"),
            "runner": ("around", "has_user_hooks", "hooks_for", "list_hooks", "run_event"),
        },
    )

__all__ = [
    "DISABLE_ENV",
    "EVENTS",
    "SCHEMA_PATH",
    "HookContext",
    "HookDescription",
    "around",
    "has_user_hooks",
    "hook_input",
    "hooks_for",
    "list_hooks",
    "run_event",
    "user_hooks_enabled",
]

"""Hooks around every task: pre-built hooks, Python callables from the invoke config and
scripts in the hooks folder, run in that order with a JSON input and HOSTING_* variables.
"""

from .document import SCHEMA_PATH, hook_input
from .events import DISABLE_ENV, EVENTS, user_hooks_enabled
from .model import HookContext, HookDescription
from .runner import around, has_user_hooks, hooks_for, list_hooks, run_event

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

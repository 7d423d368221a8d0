"""What a hook is and what it knows: the three kinds, the context a hook is given, a runnable
hook, a pre-built one, and a hook as listed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks.errors import HookError
from amplify_tasks.project import Project
from amplify_tasks.secret import mask
from amplify_tasks.settings import Settings

if TYPE_CHECKING:
    from amplify_tasks.stack import StackOutputs


class Kind(str, enum.Enum):
    """The three kinds of hooks, in the order they run within an event."""

    BUILTIN = "built-in"
    PYTHON = "python"
    SCRIPT = "script"


@dataclass
class HookContext:
    """What a hook knows: the event, the task and its arguments, settings, outputs, error.

    Python hooks receive this object; scripts receive it as JSON (``to_json``).
    """

    task: str
    stage: str = ""
    args: Mapping[str, object] = field(default_factory=dict)
    settings: Settings | None = None  # once loaded
    outputs: StackOutputs | Mapping[str, object] | None = None  # once the stack is known
    project: Project | None = None
    event: str = ""
    error: str | None = None
    error_type: str | None = None
    #: on a release stage, once its publish made (or kept) a release: {"id", "previous"}
    release: Mapping[str, str] | None = None
    #: once a publish with --preview made its preview: {"name", "url", "expires"}
    preview: Mapping[str, str] | None = None

    def arg(self, name: str, default: object = None) -> object:
        """A task argument by name (``skip_build``, ``allow_dirty``, ``dry_run``...)."""
        return self.args.get(name, default)

    @property
    def root(self) -> Path:
        """The project root (the current folder when no project is known)."""
        return self.project.root if self.project else Path.cwd()

    def require_settings(self) -> Settings:
        """The stage's settings; HookError when the task ran without a stage."""
        if self.settings is None:
            raise HookError(f"{self.event} hooks need the stage's settings: pass --stage")
        return self.settings

    def failed(self, exc: BaseException) -> None:
        """Record a failure so post hooks are given it."""
        self.error = mask(str(exc)) or type(exc).__name__
        self.error_type = type(exc).__name__


@dataclass(frozen=True)
class Hook:
    """One runnable hook: its kind, name, a line describing it, and how to run it."""

    kind: Kind
    name: str
    description: str
    run: Callable[[HookContext], None] = field(repr=False, compare=False)


@dataclass(frozen=True)
class HookDescription:
    """A hook as `inv hosting.hooks` lists it."""

    kind: str
    name: str
    description: str


@dataclass(frozen=True)
class Builtin:
    """A pre-built hook: the event it serves, when it is on, and its body."""

    name: str
    event: str
    description: str
    enabled: Callable[[Settings | None, Mapping[str, object]], bool]  # (settings, args) -> on?
    run: Callable[[HookContext], None]

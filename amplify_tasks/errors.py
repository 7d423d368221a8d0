"""Domain errors: one base class whose message tells the user what is wrong and how to fix it.

The task layer turns any HostingError into a one-line message and the exit code of its
``kind`` (tasks/_edge.py holds the one table of kinds to exit codes).
"""

from __future__ import annotations


class HostingError(Exception):
    """A failure the user can act on. ``str(err)`` is the whole one-line message; ``kind``
    names it in the --json document and picks the exit code."""

    kind = "failed"


class SettingsError(HostingError):
    """A setting, flag or dotenv file is invalid or missing."""

    kind = "settings"


class TemplateError(HostingError):
    """A stack template failed to render."""

    kind = "template"


class AwsError(HostingError):
    """Credentials, region or permissions stop an AWS call."""

    kind = "aws"


class StackError(HostingError):
    """A CloudFormation stack is in a state we cannot deploy over, or a deploy failed."""

    kind = "stack"


class SyncError(HostingError):
    """The dist folder cannot be scanned, or an upload/delete failed."""

    kind = "sync"


class DeleteLimitError(SyncError):
    """More stale objects than HOSTING_MAX_DELETES: none were deleted (a guard refused)."""

    kind = "delete-limit"


class HookError(HostingError):
    """A hook failed; the message names the hook and its exit status."""

    kind = "hook"


class DirtyTreeError(HookError):
    """The require-clean-git hook found uncommitted changes (a guard refused)."""

    kind = "dirty-tree"


class EmulatorError(HostingError):
    """The loopback AWS emulator cannot be started, reached or stopped."""

    kind = "emulator"


class LockError(HostingError):
    """The stage is locked by another run (and the wait is over), or its lock changed while
    it was being removed (a guard refused)."""

    kind = "lock"


class ReleaseError(HostingError):
    """A release stage cannot do what was asked: an unknown release, no release yet, a stage
    without releases, or the live pointer moved under a publish or a rollback."""

    kind = "release"


class PointerMovedError(ReleaseError):
    """The live pointer moved under a publish or a rollback (someone else made another
    release live): nothing was made live (a guard refused)."""

    kind = "pointer-moved"

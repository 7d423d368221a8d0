"""Domain errors: one base class whose message tells the user what is wrong and how to fix it.

The task layer turns any HostingError into a one-line message and a non-zero exit.
"""

from __future__ import annotations


class HostingError(Exception):
    """A failure the user can act on. ``str(err)`` is the whole one-line message."""

    exit_code = 1


class SettingsError(HostingError):
    """A setting, flag or dotenv file is invalid or missing."""


class TemplateError(HostingError):
    """A stack template failed to render."""


class AwsError(HostingError):
    """Credentials, region or permissions stop an AWS call."""


class StackError(HostingError):
    """A CloudFormation stack is in a state we cannot deploy over, or a deploy failed."""


class SyncError(HostingError):
    """The dist folder cannot be scanned, or an upload/delete failed."""


class HookError(HostingError):
    """A hook failed; the message names the hook and its exit status."""


class EmulatorError(HostingError):
    """The loopback AWS emulator cannot be started, reached or stopped."""


class LockError(HostingError):
    """The stage is locked by another run (and the wait is over), or its lock was lost."""


class ReleaseError(HostingError):
    """A release stage cannot do what was asked: an unknown release, no release yet, a stage
    without releases, or the live pointer moved under a publish or a rollback."""

"""Where a release comes from: the project's git commit and its subject line (when the project
is a git work tree), and who made it (the CI actor, else user@host). Nothing secret is read.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from amplify_tasks.lock import git_output

#: CI variables naming the person or bot a run acts for, in the order they are asked.
ACTOR_VARIABLES = (
    "GITHUB_ACTOR",
    "GITLAB_USER_LOGIN",
    "BITBUCKET_STEP_TRIGGERER_UUID",
    "BUILDKITE_BUILD_CREATOR",
)

#: Longest commit subject a manifest keeps.
MESSAGE_MAX = 200


@dataclass(frozen=True)
class Origin:
    """A release's commit (full hash, '' outside git), its subject line, and its maker."""

    commit: str = ""
    message: str = ""
    who: str = ""


def who(environ: Mapping[str, str] | None = None) -> str:
    """The CI actor when a CI variable names one, else ``user@host``."""
    env = os.environ if environ is None else environ
    for name in ACTOR_VARIABLES:
        if env.get(name, "").strip():
            return env[name].strip()
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def origin_of(root: Path, environ: Mapping[str, str] | None = None) -> Origin:
    """The origin of a release made from the project at ``root`` (one git call: the commit
    and its subject line)."""
    commit, _, message = git_output(root, "log", "-1", "--format=%H%n%s").partition("\n")
    return Origin(commit=commit, message=message[:MESSAGE_MAX] if commit else "", who=who(environ))

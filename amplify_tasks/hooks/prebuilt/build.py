"""The pre-built `build` hook (pre-publish): HOSTING_BUILD_COMMAND under the shell."""

from __future__ import annotations

import os
from collections.abc import Mapping

from amplify_tasks.errors import HookError
from amplify_tasks.hooks.model import HookContext
from amplify_tasks.hooks.output import stream_command
from amplify_tasks.secret import secret_values
from amplify_tasks.settings import Settings


def build_enabled(settings: Settings | None, args: Mapping[str, object]) -> bool:
    return settings is not None and bool(settings.build_command) and not args.get("skip_build")


def run_build(ctx: HookContext) -> None:
    """Run HOSTING_BUILD_COMMAND under the shell in the project root, output streamed.

    The build command is the project's own, so it keeps the whole environment.
    """
    command = ctx.require_settings().build_command
    env = {**os.environ, "HOSTING_STAGE": ctx.stage}
    status = stream_command("build", command, cwd=ctx.root, env=env, secrets=secret_values())
    if status != 0:
        raise HookError(
            f"{ctx.event} hook 'build' failed: `{command}` exited with status {status}; "
            "fix the build (nothing was uploaded) or publish with --skip-build"
        )

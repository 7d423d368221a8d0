"""The pre-built hooks, each with its event and the setting that switches it on."""

from __future__ import annotations

from amplify_tasks.hooks.model import Builtin

from .build import build_enabled, run_build
from .clean_git import clean_git_enabled, run_require_clean_git
from .export_outputs import export_enabled, run_export_outputs
from .smoke_test import run_smoke_test, smoke_enabled

BUILTINS: tuple[Builtin, ...] = (
    Builtin(
        "require-clean-git",
        "pre-publish",
        "refuses uncommitted changes (HOSTING_REQUIRE_CLEAN_GIT; --allow-dirty overrides)",
        clean_git_enabled,
        run_require_clean_git,
    ),
    Builtin(
        "build",
        "pre-publish",
        "runs HOSTING_BUILD_COMMAND in the project root (--skip-build skips it)",
        build_enabled,
        run_build,
    ),
    Builtin(
        "export-outputs",
        "post-deploy",
        "writes the stack outputs as JSON to HOSTING_EXPORT_OUTPUTS",
        export_enabled,
        run_export_outputs,
    ),
    Builtin(
        "smoke-test",
        "post-publish",
        "GETs the site URL until 2xx HTML or HOSTING_SMOKE_TIMEOUT (HOSTING_SMOKE_TEST)",
        smoke_enabled,
        run_smoke_test,
    ),
)

"""`inv hosting.hooks` run as a user would: for each event, the hooks that would run in a
project, pre-built ones as the stage's settings turn them on, user ones unless switched off.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from amplify_tasks.hooks.events import EVENTS


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    files = {
        "tasks.py": "from amplify_tasks import namespace as ns\n",
        "invoke.yaml": "hosting:\n  hooks:\n    post-publish: [notify:announce]\n",
        "notify.py": "def announce(ctx):\n    print('published', ctx.stage)\n",
        ".env.prod": "HOSTING_CLOUDFRONT=true\nHOSTING_BUILD_COMMAND=npm run build\n",
        ".env.dev": "HOSTING_CLOUDFRONT=false\nHOSTING_EXPORT_OUTPUTS=src/outputs.json\n",
        "amplify/hooks/pre-publish.sh": "echo checking\n",
        "amplify/hooks/post-sync.py": "print('synced')\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def inv(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HOSTING_")}
    environ.pop("AMPLIFY_TASKS_DISABLE_HOOKS", None)
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def blocks(stdout: str) -> dict[str, list[str]]:
    """event -> the names listed under it."""
    found: dict[str, list[str]] = {}
    current = ""
    for line in stdout.splitlines():
        if line.endswith(":") and line[:-1] in EVENTS:
            current = line[:-1]
            found[current] = []
        elif current and line.startswith("  ") and line.strip() != "(none)":
            found[current].append(line.split()[1])
    return found


def test_hooks_lists_every_event_with_the_hooks_that_would_run(site: Path) -> None:
    result = inv(site, "hosting.hooks", "--stage", "prod")
    assert result.returncode == 0, result.stderr
    listed = blocks(result.stdout)
    assert list(listed) == list(EVENTS)
    assert listed["pre-publish"] == ["require-clean-git", "build", "pre-publish.sh"]
    assert listed["pre-sync"] == []
    assert listed["post-sync"] == ["post-sync.py"]
    assert listed["post-publish"] == ["smoke-test", "notify:announce"]
    assert listed["post-deploy"] == []
    assert "stage prod" in result.stdout


def test_hooks_follow_each_stage_settings(site: Path) -> None:
    listed = blocks(inv(site, "hosting.hooks", "--stage", "dev").stdout)
    assert listed["pre-publish"] == ["pre-publish.sh"]
    assert listed["pre-sync"] == []
    assert listed["post-deploy"] == ["export-outputs"]


def test_disabled_user_hooks_are_not_listed(site: Path) -> None:
    result = inv(site, "hosting.hooks", "--stage", "prod", AMPLIFY_TASKS_DISABLE_HOOKS="1")
    listed = blocks(result.stdout)
    assert listed["pre-publish"] == ["require-clean-git", "build"]
    assert listed["post-publish"] == ["smoke-test"]
    assert "user hooks are off" in result.stdout


def test_hooks_without_a_stage_lists_user_hooks_only(site: Path) -> None:
    result = inv(site, "hosting.hooks")
    assert result.returncode == 0, result.stderr
    listed = blocks(result.stdout)
    assert listed["pre-publish"] == ["pre-publish.sh"]
    assert "pass --stage" in result.stdout


def test_hooks_with_an_unknown_stage_fails_in_one_line(site: Path) -> None:
    result = inv(site, "hosting.hooks", "--stage", "qa")
    assert result.returncode != 0
    assert result.stderr.startswith("error: ") and "qa" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_hook_config_fails_in_one_line(site: Path) -> None:
    (site / "invoke.yaml").write_text("hosting:\n  hooks:\n    pre-launch: [notify:announce]\n")
    result = inv(site, "hosting.hooks", "--stage", "prod")
    assert result.returncode != 0
    assert "unknown event(s) pre-launch" in result.stderr
    assert "Traceback" not in result.stderr

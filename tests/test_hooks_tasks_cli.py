"""Hook events of `hosting.add` and `hosting.configure`, run through `inv` as a user would:
pre and post fire around the work, a failing pre hook changes no file (and the post hooks are
told), --no-hooks skips them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RECORDER = """import json, os, sys
doc = json.load(sys.stdin)
with open(os.environ["HOSTING_PROJECT_ROOT"] + "/hooks.log", "a") as log:
    log.write(json.dumps({"event": doc["event"], "stage": doc["stage"], "error": doc["error"],
                          "cloudfront": (doc.get("settings") or {}).get("cloudfront")}) + "\\n")
"""


def _inv(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
    hooks = tmp_path / "amplify" / "hooks"
    hooks.mkdir(parents=True)
    for event in ("pre-add", "post-add", "pre-configure", "post-configure"):
        (hooks / f"{event}.py").write_text(RECORDER)
    return tmp_path


def _events(project: Path) -> list[dict[str, object]]:
    log = project / "hooks.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(line) for line in lines]


def test_add_and_configure_fire_their_events(project: Path) -> None:
    added = _inv(project, "hosting.add", "--stage", "prod", "--yes")
    assert added.returncode == 0, added.stderr
    configured = _inv(project, "hosting.configure", "--stage", "prod", "--no-cloudfront")
    assert configured.returncode == 0, configured.stderr
    events = _events(project)
    order = ["pre-add", "post-add", "pre-configure", "post-configure"]
    assert [e["event"] for e in events] == order
    assert events[0]["cloudfront"] is None  # nothing is known before add writes the stage
    assert events[1]["cloudfront"] is True
    assert events[2]["cloudfront"] is True and events[3]["cloudfront"] is False
    assert all(e["stage"] == "prod" for e in events)


def test_failing_pre_add_writes_nothing(project: Path) -> None:
    (project / "amplify" / "hooks" / "pre-add.sh").write_text("echo refusing; exit 3\n")
    result = _inv(project, "hosting.add", "--stage", "dev", "--yes")
    assert result.returncode != 0
    assert "pre-add" in result.stderr and "3" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / ".env.dev").exists()
    assert not (project / "amplify" / "backend").exists()
    (post,) = [e for e in _events(project) if e["event"] == "post-add"]
    assert post["error"]["type"] == "HookError" and "'pre-add.sh'" in post["error"]["message"]


def test_no_hooks_flag_skips_user_hooks(project: Path) -> None:
    result = _inv(project, "hosting.add", "--stage", "dev", "--yes", "--no-hooks")
    assert result.returncode == 0, result.stderr
    assert (project / ".env.dev").is_file()
    assert _events(project) == []


def test_remove_fires_its_events_and_a_failing_pre_remove_keeps_the_stack(
    project: Path, aws_env: dict[str, str]
) -> None:
    def inv(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=project,
            env=aws_env,
            capture_output=True,
            text=True,
            check=False,
        )

    (project / "dist").mkdir()
    (project / "dist" / "index.html").write_text("<!doctype html><title>x</title>")
    assert inv("hosting.add", "--stage", "dev", "--yes").returncode == 0
    published = inv("publish", "--stage", "dev", "--skip-build")
    assert published.returncode == 0, published.stderr
    hooks = project / "amplify" / "hooks"
    (hooks / "pre-remove.sh").write_text("echo keep it; exit 4\n")
    (hooks / "post-remove.py").write_text(RECORDER)
    refused = inv("hosting.remove", "--stage", "dev", "--yes")
    assert refused.returncode != 0 and "pre-remove" in refused.stderr
    status = json.loads(inv("hosting.status", "--stage", "dev", "--json").stdout)
    assert status["exists"] and status["objects"] >= 1
    (hooks / "pre-remove.sh").unlink()
    (hooks / "pre-remove.py").write_text(RECORDER)
    removed = inv("hosting.remove", "--stage", "dev", "--yes")
    assert removed.returncode == 0, removed.stderr
    events = [e["event"] for e in _events(project) if "remove" in str(e["event"])]
    # the refused remove is a failed task: its post hook ran too (and was given the error)
    assert events == ["post-remove", "pre-remove", "post-remove"]

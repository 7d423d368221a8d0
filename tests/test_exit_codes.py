"""The exit codes of `inv publish`, as a user's shell sees them, on the emulator: 0 done, 1
failed (AWS, the stack, the sync), 2 bad input or settings, 3 refused by a guard (the delete
limit, a held stage lock, uncommitted changes), 130 interrupted; the --json document names
the same kind of failure.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from test_publish import Site, new_site
from test_publish_lock import hold, put_seen, spawn, wait_for

from amplify_tasks.tasks._edge import EXIT_CODES


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> Site:
    made = new_site(inv_project, emulator, unique_name)
    made.publish()  # the stack and its bucket exist
    return made


def failed(result: Any, code: int, kind: str) -> str:
    """The one error line of a run that exited ``code``; its --json document says ``kind``."""
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["error"]["kind"] == kind
    assert EXIT_CODES[kind] == code
    line = str(result.stderr.strip().splitlines()[-1])
    assert line == f"error: {doc['error']['message']}"
    return line


def test_done_is_0(site: Site) -> None:
    site.project.write("dist/css/site.css", "body { margin: 1px }")
    assert site.publish("--json").returncode == 0
    assert site.publish("--json", "--dry-run").returncode == 0


def test_a_bad_setting_or_flag_is_2(site: Site) -> None:
    site.project.env["HOSTING_MAX_DELETES"] = "many"
    assert "HOSTING_MAX_DELETES" in failed(site.publish("--json", check=False), 2, "settings")
    del site.project.env["HOSTING_MAX_DELETES"]
    unknown = site.project.run("publish", "--stage", "nope", "--json", check=False)
    assert ".env.nope" in failed(unknown, 2, "settings")
    (site.project.root / "dist").rename(site.project.root / "gone")
    assert "dist" in failed(site.publish("--json", "--skip-build", check=False), 2, "dist")


def test_the_delete_limit_is_3(site: Site) -> None:
    (site.project.root / "dist/css/site.css").unlink()
    (site.project.root / "dist/about/index.html").unlink()
    site.project.env["HOSTING_MAX_DELETES"] = "1"
    line = failed(site.publish("--json", check=False), 3, "delete-limit")
    assert "HOSTING_MAX_DELETES=2" in line


def test_a_held_lock_is_3(site: Site) -> None:
    lock = hold(site)
    try:
        site.project.env["HOSTING_LOCK_TIMEOUT"] = "1"
        line = failed(site.publish("--json", check=False), 3, "lock")
    finally:
        lock.release()
    assert "inv hosting.unlock --stage dev" in line


def test_uncommitted_changes_under_require_clean_git_are_3(site: Site) -> None:
    root = str(site.project.root)
    for argv in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", "-C", root, *argv], check=True)
    subprocess.run(
        ["git", "-C", root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"],
        check=True,
    )
    site.project.write("notes.txt", "not committed")
    site.project.env["HOSTING_REQUIRE_CLEAN_GIT"] = "true"
    line = failed(site.publish("--json", check=False), 3, "dirty-tree")
    assert "--allow-dirty" in line
    assert site.publish("--json", "--allow-dirty").returncode == 0


def publish_under_fault(site: Site, status: int, **fault: Any) -> Any:
    """`inv publish --json` while the emulator answers the matching requests with ``status``."""
    site.emulator.inject_fault(status, count=20, **fault)
    try:
        return site.publish("--json", check=False)
    finally:
        site.emulator.clear_faults()


def test_an_aws_refusal_is_1(site: Site) -> None:
    refused = publish_under_fault(
        site, 403, service="cloudformation", operation="DescribeStacks", code="AccessDenied"
    )
    assert "access denied for DescribeStacks" in failed(refused, 1, "aws")


def test_a_failed_upload_is_1(site: Site) -> None:
    site.project.write("dist/css/site.css", "body { margin: 2px }")
    result = publish_under_fault(site, 500, method="PUT", path_regex=r"/css/site\.css")
    assert "css/site.css" in failed(result, 1, "sync")


def test_ctrl_c_is_130_and_the_document_says_interrupted(site: Site) -> None:
    site.project.write("dist/css/site.css", "body { margin: 3px }")
    site.emulator.reset_requests()
    site.emulator.inject_fault(0, method="PUT", path_regex=r"/css/site\.css", delay=3)
    running = spawn(site, "--json")
    try:
        wait_for("the upload under way", put_seen(site, "css/site.css"), running)
        running.send_signal(signal.SIGINT)
        out, err = running.communicate(timeout=60)
    finally:
        site.emulator.clear_faults()
    assert running.returncode == 130 and "Traceback" not in err
    doc = json.loads(out)
    assert doc["ok"] is False and doc["error"] == {"kind": "interrupted", "message": "interrupted"}
    assert err.strip().splitlines()[-1] == "interrupted"

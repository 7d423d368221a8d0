"""The stage lock through `inv publish` as users run it, on the emulator: two publishes of one
stage at once take turns and the bucket ends as exactly one build; a held lock times out
naming its holder; a killed publish's lock is taken over once abandoned; `inv hosting.unlock`;
the lock is given back after a failure and after Ctrl-C; a dry run takes none.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from test_publish import Site, new_site

from amplify_tasks import aws
from amplify_tasks.lock import Holder, StageLock, inspect
from amplify_tasks.sync import LOCK_KEY, MANIFEST_KEY


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> Site:
    made = new_site(inv_project, emulator, unique_name)
    made.publish()  # the stack and its bucket exist
    return made


def build(site: Site, name: str, assets: int = 12, pages: int = 6) -> dict[str, str]:
    """A build in dist-<name>: assets, and pages that reference them."""
    files = {f"assets/{name}-{i}.js": f"console.log('{name} {i}')" for i in range(assets)}
    for p in range(pages):
        refs = "".join(f'<script src="/assets/{name}-{i}.js"></script>' for i in range(p, assets))
        files[f"page{p}/index.html"] = f"<!doctype html><title>{name} {p}</title>{refs}"
    files["index.html"] = f'<!doctype html><title>{name}</title><a href="/page0/">{name}</a>'
    for key, text in files.items():
        site.project.write(f"dist-{name}/{key}", text)
    return files


def spawn(site: Site, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "publish", "--stage", "dev", *args],
        cwd=site.project.root,
        env={**site.project.env, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"publish ended before {what}:\n{out}\n{err}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def locked(site: Site) -> bool:
    return inspect(aws.client("s3"), site.bucket) is not None


def put_seen(site: Site, key: str) -> Callable[[], bool]:
    return lambda: key in site.s3_ops("PutObject")


def contents(site: Site) -> dict[str, str]:
    s3 = aws.client("s3")
    return {
        key: s3.get_object(Bucket=site.bucket, Key=key)["Body"].read().decode()
        for key in site.objects() - {MANIFEST_KEY}
    }


def hold(site: Site) -> StageLock:
    """The stage's lock, taken by this test process (and never renewed)."""
    lock = StageLock(aws.client("s3"), site.bucket, "dev", Holder.here("publish"), heartbeat=3600)
    lock.acquire()
    return lock


def test_two_publishes_at_once_take_turns_and_the_bucket_is_one_build(site: Site) -> None:
    build(site, "a")
    second = build(site, "b")
    # the first publish's assets go up slowly: it holds the lock while the second starts
    site.emulator.inject_fault(0, method="PUT", path_regex=r"/assets/a-", delay=3, count=100)
    try:
        one = spawn(site, HOSTING_DIST_DIR="dist-a")
        wait_for("the first publish took the lock", lambda: locked(site), one)
        two = spawn(site, HOSTING_DIST_DIR="dist-b")
        out_one, err_one = one.communicate(timeout=120)
        out_two, err_two = two.communicate(timeout=120)
    finally:
        site.emulator.clear_faults()
    assert one.returncode == 0, err_one
    assert two.returncode == 0, err_two
    assert "stage dev is locked by" in out_two and f"pid {one.pid}," in out_two
    assert contents(site) == second  # exactly the second build: nothing stale, nothing mixed
    for key, text in second.items():
        for ref in re.findall(r'src="/([^"]+)"', text):
            assert ref in second, f"{key} references {ref}, which is not published"
    assert not locked(site)
    assert "locked" not in out_one  # the first never waited


def test_a_held_lock_times_out_naming_the_holder(site: Site) -> None:
    lock = hold(site)
    try:
        site.project.write("dist/css/site.css", "body { margin: 3px }")
        site.project.env["HOSTING_LOCK_TIMEOUT"] = "3"
        site.emulator.reset_requests()
        started = time.monotonic()
        result = site.publish(check=False)
        assert time.monotonic() - started >= 3
    finally:
        lock.release()
    assert result.returncode != 0 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: stage dev is locked by ")
    assert f"pid {os.getpid()}," in line and "waited 3 s" in line
    assert "inv hosting.unlock --stage dev" in line
    assert "waiting up to 3 s (HOSTING_LOCK_TIMEOUT)" in result.stdout
    assert set(site.s3_ops("PutObject")) == {LOCK_KEY}  # it tried the lock, changed nothing
    assert site.emulator.requests(service="cloudformation", operation="ExecuteChangeSet") == []


def test_a_killed_publish_leaves_a_lock_that_is_taken_over_once_abandoned(site: Site) -> None:
    site.project.write("dist/css/site.css", "body { margin: 4px }")
    site.emulator.reset_requests()
    site.emulator.inject_fault(0, method="PUT", path_regex=r"/css/site\.css", delay=5)
    killed = spawn(site)
    try:
        wait_for("the upload under way", put_seen(site, "css/site.css"), killed)
        killed.kill()  # kill -9: nothing is given back
        killed.communicate(timeout=30)
    finally:
        site.emulator.clear_faults()
    held = inspect(aws.client("s3"), site.bucket)
    assert held is not None and held.holder.pid == killed.pid
    site.emulator.age_object(site.bucket, LOCK_KEY, 400)  # no heartbeat for 400 s
    out = site.publish().stdout
    assert f"pid {killed.pid}," in out and "(abandoned after 300 s): taken over" in out
    assert contents(site)["css/site.css"] == "body { margin: 4px }"
    assert not locked(site)


def test_unlock_says_who_held_it_and_asks_first(site: Site) -> None:
    lock = hold(site)
    refused = site.project.run("hosting.unlock", "--stage", "dev", check=False)
    assert refused.returncode != 0 and "pass --yes" in refused.stderr
    assert "stage dev is locked by " in refused.stdout and f"pid {os.getpid()}," in refused.stdout
    assert locked(site)
    removed = site.project.run("hosting.unlock", "--stage", "dev", "--yes")
    assert "removed the lock of stage dev (held by " in removed.stdout
    assert not locked(site)
    assert not lock.renew() and "was removed" in lock.lost()
    lock.release()
    again = site.project.run("hosting.unlock", "--stage", "dev", "--yes")
    assert "stage dev is not locked" in again.stdout


def test_the_lock_is_given_back_after_a_failed_publish(site: Site) -> None:
    site.project.write("dist/css/site.css", "body { margin: 5px }")
    site.emulator.reset_requests()
    site.emulator.inject_fault(403, method="PUT", path_regex=r"/css/site\.css", code="AccessDenied")
    result = site.publish(check=False)
    assert result.returncode != 0 and "AccessDenied" in result.stderr
    assert site.s3_ops("PutObject")[0] == LOCK_KEY and site.s3_ops("DeleteObject") == [LOCK_KEY]
    assert not locked(site)


def test_the_lock_is_given_back_after_ctrl_c(site: Site) -> None:
    site.project.write("dist/css/site.css", "body { margin: 6px }")
    site.emulator.reset_requests()
    site.emulator.inject_fault(0, method="PUT", path_regex=r"/css/site\.css", delay=3)
    running = spawn(site)
    try:
        wait_for("the upload under way", put_seen(site, "css/site.css"), running)
        assert locked(site)
        running.send_signal(signal.SIGINT)
        _out, err = running.communicate(timeout=60)
    finally:
        site.emulator.clear_faults()
    assert running.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert not locked(site)


def test_a_dry_run_takes_no_lock(site: Site) -> None:
    lock = hold(site)
    try:
        site.project.write("dist/css/site.css", "body { margin: 7px }")
        site.project.env["HOSTING_LOCK_TIMEOUT"] = "0"
        site.emulator.reset_requests()
        out = site.publish("--dry-run").stdout
    finally:
        lock.release()
    assert "changed" in out and "css/site.css" in out and "locked" not in out
    assert site.s3_ops("PutObject") == [] and site.s3_ops("GetObject") == []

"""What `inv publish` says after a partial failure is what it did, on the emulator: a failed
DeleteObjects batch and a failed write of the header record report the deletes that were
made; hints name the real stage, never a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from test_publish import Site, new_site

from amplify_tasks import aws
from amplify_tasks.sync import list_remote


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> Site:
    made = new_site(inv_project, emulator, unique_name)
    made.publish()
    return made


def add_stale(site: Site, count: int) -> set[str]:
    s3 = aws.client("s3", max_pool=16)
    keys = {f"old/{i:04d}.txt" for i in range(count)}
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=site.bucket, Key=k, Body=b"x"), keys))
    return keys


def keys(site: Site) -> set[str]:
    """Every key of the site's bucket (all pages of the listing)."""
    return set(list_remote(aws.client("s3"), site.bucket))


def deleted_as_said(stderr: str) -> int:
    """The number of deletes the error line reports (0 when it reports none)."""
    found = re.search(r"done: [^:;]*?(\d+) deleted", stderr)
    return int(found.group(1)) if found else 0


def test_a_failed_delete_batch_reports_the_deletes_that_were_made(site: Site) -> None:
    stale = add_stale(site, 1250)  # two DeleteObjects batches: 1000 and 250
    site.project.env["HOSTING_MAX_DELETES"] = "2000"
    site.emulator.inject_fault(403, operation="DeleteObjects", code="AccessDenied")
    result = site.publish(check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    deleted = len(stale - keys(site))
    assert deleted in (250, 1000)  # one batch went through
    assert deleted_as_said(result.stderr) == deleted, result.stderr
    assert f"{1250 - deleted} of 1250 changes failed" in result.stderr
    assert "nothing was deleted" not in result.stderr
    assert f"deleted        {deleted}" in result.stdout  # the summary agrees


@pytest.mark.parametrize("after", [0, 1], ids=["every-record-write", "the-last-one"])
def test_a_failed_record_write_reports_the_deletes_that_were_made(site: Site, after: int) -> None:
    stale = add_stale(site, 30)
    site.project.write(
        "invoke.yaml", 'hosting:\n  headers:\n    - {glob: "*.css", cache_control: "no-cache"}\n'
    )
    site.emulator.inject_fault(
        403, method="PUT", path_regex=r"/\.amplify-tasks/manifest\.json", after=after, count=5
    )
    result = site.publish(check=False)
    site.emulator.clear_faults()
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "the header record .amplify-tasks/manifest.json was not written" in result.stderr
    deleted = len(stale - keys(site))
    assert deleted_as_said(result.stderr) == deleted, result.stderr
    if deleted == 0:  # the record could not be written first: nothing was changed
        assert "nothing was uploaded, fixed or deleted" in result.stderr
    assert site.publish().returncode == 0 and not stale & keys(site)


def test_a_stack_that_failed_to_delete_names_the_stage_in_the_hint(site: Site) -> None:
    cfn = aws.client("cloudformation")
    stack = site.project.run("hosting.status", "--stage", "dev", "--json").stdout
    name = re.search(r'"stack_name": "([^"]+)"', stack)
    assert name is not None
    cfn.delete_stack(StackName=name.group(1))  # the bucket holds objects: DELETE_FAILED
    result = site.publish(check=False)
    assert result.returncode != 0 and "DELETE_FAILED" in result.stderr
    assert "`inv hosting.remove --stage dev`" in result.stderr and "<stage>" not in result.stderr


def test_skip_backend_without_a_stack_names_the_stage(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    fresh = new_site(inv_project, emulator, unique_name)
    result = fresh.publish("--skip-backend", check=False)
    assert result.returncode != 0 and "`inv publish --stage dev`" in result.stderr
    assert "<stage>" not in result.stderr

"""Garbage collection on a release stage: a publish stopped after some of its copies leaves a
tree no manifest names, which the next release collects; beyond HOSTING_KEEP_RELEASES the
store's listing starts with the transfers, and the collected trees are listed at once; a
release is reported collected once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from releases_site import KVS, V1, ReleaseSite
from test_releases import released

from amplify_tasks.releases import RELEASES_PREFIX, manifest_key
from amplify_tasks.releases.collect import collect
from amplify_tasks.releases.gc import GcPlan


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return ReleaseSite(inv_project, emulator, unique_name("gcreads"))


def test_a_publish_stopped_after_the_copies_leaves_a_tree_the_next_one_collects(
    site: ReleaseSite,
) -> None:
    released(site.publish().stdout)
    site.build({**V1, "index.html": "<!doctype html><title>v2</title>"})
    site.emulator.inject_fault(
        403, method="PUT", path_regex=r"/_r/[^/]+/index\.html$", count=5, code="AccessDenied"
    )
    failed = site.publish(check=False)
    assert failed.returncode != 0 and "none of them live" in failed.stderr
    site.emulator.clear_faults()
    orphans = {k.split("/")[1] for k in site.objects(RELEASES_PREFIX)} - {site.live()}
    assert orphans  # the stopped publish's copies
    site.build({**V1, "index.html": "<!doctype html><title>v3</title>"})
    third = released(site.publish().stdout)
    trees = {k.split("/")[1] for k in site.objects(RELEASES_PREFIX)}
    assert not trees & orphans and third in trees


def test_the_store_is_listed_for_garbage_collection_while_the_release_is_written(
    site: ReleaseSite,
) -> None:
    """Beyond HOSTING_KEEP_RELEASES the store's listing starts with the transfers (the
    manifest's write held back a second by the emulator), not after the pointer moves."""
    first = released(site.publish().stdout)
    site.build({**V1, "index.html": "<!doctype html><title>v2</title>"})
    second = released(site.publish().stdout)
    site.build({**V1, "index.html": "<!doctype html><title>v3</title>"})
    site.emulator.reset_requests()
    site.emulator.inject_fault(0, method="PUT", path_regex=r"/releases/[^/]+\.json$", delay=1.0)
    third = released(site.publish(HOSTING_KEEP_RELEASES="1").stdout)
    ops = [r["operation"] for r in site.emulator.requests(service=KVS)]
    assert "ListKeys" in ops and ops.index("ListKeys") < ops.index("UpdateKeys")
    assert site.live() == third
    # the first is collected; the one live when the publish was planned stays
    assert {k.split("/")[1] for k in site.objects(RELEASES_PREFIX)} == {second, third} != {first}


def test_the_collected_releases_trees_are_listed_at_once(site: ReleaseSite) -> None:
    """Two releases collected by one publish: their trees' listings (each held back a
    second by the emulator) go out together."""
    made = [released(site.publish().stdout)]
    for n in (2, 3):
        site.build({**V1, "index.html": f"<!doctype html><title>v{n}</title>"})
        made.append(released(site.publish().stdout))
    site.build({**V1, "index.html": "<!doctype html><title>v4</title>"})
    for release in made[:2]:
        site.emulator.inject_fault(
            0, method="GET", path_regex=f"prefix=_r(%2F|/){release}", delay=1.0
        )
    site.emulator.reset_requests()
    fourth = released(site.publish(HOSTING_KEEP_RELEASES="1").stdout)
    log = site.emulator.requests()
    moved = next(i for i, r in enumerate(log) if r["operation"] == "UpdateKeys")
    trees = [r["time"] for r in log[moved:] if r["operation"] == "ListObjectsV2"]
    assert len(trees) == 2 and abs(trees[1] - trees[0]) < 1.0
    # the new release and the one live when it was planned stay
    assert {k.split("/")[1] for k in site.objects(RELEASES_PREFIX)} == {made[2], fourth}


class GhostFoldersS3:
    """A stub S3 (a state the emulator does not produce: it lists as S3 does): a server
    whose folder listing still names an emptied tree, as SeaweedFS's can, so garbage
    collection is asked to collect a release already gone. It holds ``objects``."""

    def __init__(self, objects: list[str]) -> None:
        self.objects = objects
        self.deleted: list[str] = []

    def list_objects_v2(self, **request: Any) -> dict[str, Any]:
        keys = [k for k in self.objects if k.startswith(request.get("Prefix", ""))]
        return {"Contents": [{"Key": k, "Size": 1, "ETag": '"e"'} for k in keys]}

    def delete_objects(self, **request: Any) -> dict[str, Any]:
        self.deleted += [o["Key"] for o in request["Delete"]["Objects"]]
        return {}


def test_a_release_already_gone_is_not_reported_collected() -> None:
    ghost, old = "20261203-100000-aaaa", "20261203-110000-bbbb"
    s3 = GhostFoldersS3([f"{RELEASES_PREFIX}{old}/index.html"])
    plan = GcPlan(releases=(ghost, old), state=(manifest_key(old),))
    with ThreadPoolExecutor(2) as pool:
        done = collect(plan, s3=s3, bucket="b", kvs=lambda: None, arn="", pool=pool)  # type: ignore[arg-type,return-value]
    assert done.releases == [old] and not done.failures
    assert s3.deleted == [f"{RELEASES_PREFIX}{old}/index.html", manifest_key(old)]


def test_a_release_is_reported_collected_once(site: ReleaseSite) -> None:
    """Each publish past HOSTING_KEEP_RELEASES=1 collects the one release that fell out."""
    keep = {"HOSTING_KEEP_RELEASES": "1"}
    site.publish(**keep)
    counts = []
    for n in (2, 3, 4):
        site.build({**V1, "index.html": f"<!doctype html><title>v{n}</title>"})
        summary = site.publish(**keep).stdout
        found = re.search(r"collected\s+(\d+) release\(s\)", summary)
        counts.append(int(found.group(1)) if found else 0)
    assert counts == [0, 1, 1]

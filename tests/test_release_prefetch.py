"""A release stage's reads start with the stack check: the manifests and the store are read
once, after the stage's lock is taken, and they are read again from the new bucket when
the deploy replaces it. The dist folder is scanned once unless a hook could change it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from releases_site import KVS, V1, ReleaseSite
from test_releases import V2, released

from amplify_tasks.releases import RELEASES_PREFIX, manifest_key
from amplify_tasks.sync import LOCK_KEY

V3 = {**V2, "docs/index.html": "<!doctype html><title>docs v3</title>"}


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return ReleaseSite(inv_project, emulator, unique_name("prefetch"))


def test_the_stage_is_read_once_and_after_its_lock_is_taken(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)
    site.build(V2)
    second = released(site.publish().stdout)

    site.build(V3)
    site.emulator.reset_requests()
    third = released(site.publish().stdout)
    log = site.emulator.requests()
    s3 = [r for r in log if r["service"] == "s3"]
    manifests = {manifest_key(first), manifest_key(second)}
    reads = [r["key"] for r in s3 if r["operation"] == "GetObject" and r["key"] in manifests]
    assert sorted(reads) == sorted(manifests)  # each manifest once
    assert [r["operation"] for r in log if r["service"] == KVS].count("DescribeKeyValueStore") == 1
    lock = next(i for i, r in enumerate(log) if r["key"] == LOCK_KEY and r["method"] == "PUT")
    first_read = next(
        i for i, r in enumerate(log) if r["service"] == KVS or r["operation"] == "ListObjectsV2"
    )
    assert lock < first_read
    assert site.live() == third


def test_a_replaced_bucket_gets_a_release_of_its_own(
    site: ReleaseSite, unique_name: Callable[[str], str]
) -> None:
    released(site.publish().stdout)
    old = site.bucket
    new = unique_name("prefetch-new")
    site.build(V2)
    done = site.publish("--allow-replace", HOSTING_BUCKET_NAME=new)
    assert done.returncode == 0, done.stderr
    second = released(done.stdout)
    site._outputs = None  # the stack's outputs changed
    assert site.bucket == new != old
    objects = site.objects(f"{RELEASES_PREFIX}{second}/")
    assert {k.rsplit("/", 1)[-1] for k in objects} >= {"index.html", "404.html", "robots.txt"}
    assert site.live() == second


def test_a_pre_sync_hook_that_adds_a_file_gets_it_into_the_release(site: ReleaseSite) -> None:
    hook = site.project.write("amplify/hooks/pre-sync.sh", "echo late > dist/late.txt\n")
    hook.chmod(0o755)
    release = released(site.publish().stdout)
    assert f"{RELEASES_PREFIX}{release}/late.txt" in site.objects(RELEASES_PREFIX)


def test_a_pool_file_a_kept_manifest_names_is_not_asked_for(site: ReleaseSite) -> None:
    released(site.publish().stdout)
    chunk = "assets/lazy.2222bbbb.js"
    site.build({**V1, chunk: "console.log('other bytes, the same name')"})
    site.emulator.reset_requests()
    second = released(site.publish().stdout)
    s3 = site.emulator.requests(service="s3")
    assert [r["operation"] for r in s3 if r["key"] == chunk] == ["PutObject"]
    assert site.live() == second
    new = "assets/new.3333cccc.js"  # a name no manifest has: the pool is asked
    site.build({**V1, new: "console.log('new')"})
    site.emulator.reset_requests()
    released(site.publish().stdout)
    s3 = site.emulator.requests(service="s3")
    assert [r["operation"] for r in s3 if r["key"] == new] == ["HeadObject", "PutObject"]

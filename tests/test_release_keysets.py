"""Key sets on a PROD stage (`inv` on the emulator, the stack's real functions answering over
HTTP): the keys a release's routing reads are keyed under a digest of their contents, so a
release with the folders and rules of one the store holds writes only its pointer; a new
folder writes a new set; rollback and garbage collection follow the sets; a stage whose
pointer and keys were written before key sets keeps routing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from edge_stacks import get
from releases_site import V1, ReleaseSite
from test_releases import released
from test_releases_store_reads import V3, delete_keys, put_keys, store_ops

from amplify_tasks import aws
from amplify_tasks.releases import LIVE_KEY, Pointer, manifest_key, parse_pointer


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return ReleaseSite(inv_project, emulator, unique_name("ks"))


def status(site: ReleaseSite, path: str) -> tuple[int, str]:
    code, headers, _ = get(site.url(), path)
    return code, headers.get("location", "")


def others(store: dict[str, str]) -> dict[str, str]:
    """The store but its ``live`` pointer."""
    return {k: v for k, v in store.items() if k != LIVE_KEY}


def test_a_rebuild_with_a_new_folder_writes_a_new_set_and_one_without_only_the_pointer(
    site: ReleaseSite,
) -> None:
    first = released(site.publish().stdout)
    site.build(V3)
    dry = site.publish("--dry-run").stdout
    assert "release keys: set k" in dry and "(2 folder key(s)): 3 key(s) to write" in dry
    site.emulator.reset_requests()
    second = released(site.publish().stdout)
    assert store_ops(site) == ["DescribeKeyValueStore", "GetKey", "UpdateKeys"]
    keys = site.keys(second)
    assert keys != site.keys(first)
    store = site.store()
    assert store[f"{keys}:d:/extra"] == "1" and store[f"{keys}:d:/docs"] == "1"
    assert store[keys] == "2"  # the seal: the count of the set's other keys
    assert parse_pointer(store[LIVE_KEY]) == Pointer(second, keys=keys)
    assert status(site, "/extra") == (302, "/extra/")
    assert status(site, "/docs") == (302, "/docs/")

    site.build({**V3, "index.html": "<!doctype html><title>v3, again</title>"})
    dry = site.publish("--dry-run").stdout
    assert "the store holds it: only the pointer is written" in dry
    held = site.store()
    site.emulator.reset_requests()
    third = released(site.publish().stdout)
    assert store_ops(site).count("UpdateKeys") == 1
    assert site.keys(third) == keys and others(site.store()) == others(held)
    assert status(site, "/extra") == (302, "/extra/")
    assert get(site.url(), "/")[2] == b"<!doctype html><title>v3, again</title>"


def test_rollback_to_a_release_whose_set_is_shared_writes_only_live(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)
    site.build(V3)
    second = released(site.publish().stdout)
    site.build({**V1, "robots.txt": "User-agent: none"})  # v1's folders: the first one's set
    third = released(site.publish().stdout)
    assert site.keys(third) == site.keys(first) != site.keys(second)
    held = others(site.store())
    for target, extra in ((second, 302), (first, 404), (third, 404)):
        site.emulator.reset_requests()
        site.run("hosting.rollback", "--stage", "prod", "--to", target, "--yes")
        ops = store_ops(site)
        assert ops.count("UpdateKeys") == 1 and "ListKeys" not in ops, ops
        assert site.live() == target and others(site.store()) == held
        assert status(site, "/extra")[0] == extra
        assert status(site, "/docs") == (302, "/docs/")
    verified = site.run("hosting.verify", "--stage", "prod").stdout
    assert f"live release {third}: all" in verified


def test_gc_keeps_a_set_a_kept_release_uses_and_deletes_one_nobody_uses(
    site: ReleaseSite,
) -> None:
    keep = {"HOSTING_KEEP_RELEASES": "2"}
    sets = {}
    for files in (V1, V3):
        site.build(files)
        made = released(site.publish(**keep).stdout)
        sets[made] = site.keys(made)
    first, second = sets
    site.build({**V1, "robots.txt": "User-agent: none"})  # the first one's folders
    out = site.publish(**keep).stdout
    third = released(out)
    assert "collected     1 release(s)" in out and site.keys(third) == sets[first]
    store = site.store()
    assert f"{sets[first]}:d:/docs" in store and sets[first] in store  # the third's now
    site.build({**V1, "more/index.html": "<!doctype html><title>more</title>"})
    fourth = released(site.publish(**keep).stdout)  # the second is collected
    assert set(site.objects(".amplify-tasks/releases/")) == {
        manifest_key(r) for r in (third, fourth)
    }
    store = site.store()
    assert {k.split(":")[0] for k in store if k != LIVE_KEY} == {sets[first], site.keys(fourth)}
    assert not [k for k in store if k.startswith(sets[second])]  # nobody's: deleted
    assert status(site, "/more") == (302, "/more/")
    site.run("hosting.rollback", "--stage", "prod", "--yes")
    assert site.live() == third and status(site, "/docs") == (302, "/docs/")


def make_old_format(site: ReleaseSite, release: str) -> list[str]:
    """Release ``release`` as a version before key sets wrote it: its manifest without a
    set, its folder keys under its id, ``live`` without ``k``. The keys written."""
    manifest = site.manifest(release)
    keys = manifest.pop("keys")
    s3 = aws.client("s3")
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    s3.put_object(
        Bucket=site.bucket,
        Key=manifest_key(release),
        Body=body,
        ContentType="application/json",
        CacheControl="no-store",
    )
    legacy = [f"{release}:d:{folder}" for folder in manifest["folders"]]
    delete_keys(site, [k for k in site.store() if k.startswith(keys)])
    put_keys(site, {**{k: "1" for k in legacy}, LIVE_KEY: Pointer(release).value()})
    return legacy


def test_a_stage_from_before_key_sets_keeps_routing_and_moves_to_them(site: ReleaseSite) -> None:
    site.build(V3)
    old = released(site.publish().stdout)
    legacy = make_old_format(site, old)
    assert set(site.store()) == {LIVE_KEY, *legacy}
    assert status(site, "/extra") == (302, "/extra/")  # the function reads <id>:d:/extra
    assert "all 7 files present" in site.run("hosting.verify", "--stage", "prod").stdout

    site.build(V1)
    new = released(site.publish().stdout)
    keys = site.keys(new)
    store = site.store()
    assert parse_pointer(store[LIVE_KEY]) == Pointer(new, keys=keys)
    assert set(store) == {LIVE_KEY, *legacy, keys, f"{keys}:d:/docs"}
    assert status(site, "/docs") == (302, "/docs/") and status(site, "/extra")[0] == 404

    site.emulator.reset_requests()
    site.run("hosting.rollback", "--stage", "prod", "--to", old, "--yes")
    assert store_ops(site).count("UpdateKeys") == 1
    assert site.store()[LIVE_KEY] == Pointer(old).value()  # its keys are under its id
    assert status(site, "/extra") == (302, "/extra/")

    site.run("hosting.rollback", "--stage", "prod", "--to", new, "--yes")
    site.build({**V1, "robots.txt": "User-agent: none"})
    site.publish(HOSTING_KEEP_RELEASES="1")  # the old release is collected, its keys too
    assert set(site.store()) == {LIVE_KEY, keys, f"{keys}:d:/docs"}

"""`inv hosting.previews` and `inv hosting.promote` as a user runs them on the emulator:
the listing (text and --json), promote (live becomes the preview's release with no PutObject,
one store write, and it is in the release history), delete and prune (keys, then what no kept
release needs), the garbage collection of a publish dropping expired previews, and the store
staying under CloudFront's 5 MB with 200 previews."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from edge_stacks import get
from releases_site import KVS, V1, ReleaseSite, live_then
from test_machine_output import document

from amplify_tasks.releases import RELEASES_PREFIX, parse_pointer
from amplify_tasks.releases.previews import COOKIE, make_preview
from amplify_tasks.releases.store import write_keys

V2 = {**V1, "index.html": "<!doctype html><title>v2</title>", "assets/only.3333cccc.js": "v2"}


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return live_then(inv_project, emulator, unique_name("pva"), V2)


def previewed(site: ReleaseSite, name: str, *args: str) -> str:
    doc = document(site.publish("--preview", name, "--json", *args), "publish")
    return str(doc["preview"]["release"])


def listing(site: ReleaseSite) -> dict[str, Any]:
    return document(site.run("hosting.previews", "--stage", "prod", "--json"), "previews")


def test_previews_are_listed(site: ReleaseSite) -> None:
    assert "stage prod has no previews" in site.run("hosting.previews", "--stage", "prod").stdout
    release = previewed(site, "pr-1")
    (row,) = listing(site)["previews"]
    assert row["name"] == "pr-1" and row["release"] == release
    assert row["url"] == f"{site.url()}/?preview=pr-1"
    assert (row["protected"], row["expired"]) == (False, False)
    assert row["expires"] > row["created"]
    out = site.run("hosting.previews", "--stage", "prod").stdout
    assert "pr-1" in out and release in out and "password" in out
    assert "preview pr-1" in site.run("hosting.releases", "--stage", "prod").stdout


def test_promote_makes_the_preview_live_with_one_store_write(site: ReleaseSite) -> None:
    before = site.live()
    release = previewed(site, "pr-2")
    site.emulator.reset_requests()
    out = site.run("hosting.promote", "--stage", "prod", "--preview", "pr-2", "--yes").stdout
    assert f"release {release} of preview pr-2 is live (was {before})" in out
    assert site.live() == release
    assert site.writes() == [(KVS, "UpdateKeys", None)]  # no PutObject, no copy: one write
    assert b"v2" in get(site.url(), "/")[2]  # everyone sees it now
    history = site.run("hosting.releases", "--stage", "prod").stdout
    assert release in history and "* live" in history.split(release)[1].splitlines()[0]
    rolled = site.run("hosting.rollback", "--stage", "prod", "--yes").stdout
    assert f"release {before} is live" in rolled
    again = site.run("hosting.promote", "--stage", "prod", "--preview", "nope", check=False)
    assert again.returncode == 2
    assert again.stderr.strip() == (
        "error: stage prod has no preview nope: `inv hosting.previews --stage prod` lists them"
    )
    asked = site.run("hosting.promote", "--stage", "prod", "--preview", "pr-2", check=False)
    assert asked.returncode == 2 and "pass --yes" in asked.stderr and site.live() == before


def test_delete_drops_the_key_and_the_objects_only_it_kept(site: ReleaseSite) -> None:
    release = previewed(site, "gone")
    assert site.objects(f"{RELEASES_PREFIX}{release}/")
    assert "assets/only.3333cccc.js" in site.objects("assets/")
    out = site.run("hosting.previews", "--stage", "prod", "--delete", "gone").stdout
    assert "previews deleted: gone" in out and "p:gone" not in site.store()
    assert not site.objects(f"{RELEASES_PREFIX}{release}/")  # a preview is no rollback target
    assert "assets/only.3333cccc.js" not in site.objects("assets/")
    assert get(site.url(), "/", headers={"Cookie": f"{COOKIE}=gone"})[0] == 404
    failed = site.run("hosting.previews", "--stage", "prod", "--delete", "gone", check=False)
    assert failed.returncode == 2 and "has no preview gone" in failed.stderr


def test_expired_previews_go_at_the_next_publish_and_with_prune(site: ReleaseSite) -> None:
    short = previewed(site, "short", "--expires", "1s")
    time.sleep(1.5)
    assert "p:short" in site.store()  # its own publish keeps it, however long it took
    site.build({**V2, "index.html": "<!doctype html><title>v3</title>"})
    doc = document(site.publish("--preview", "kept", "--json"), "publish")
    kept = doc["preview"]["release"]
    assert "expired previews deleted: short" in doc["notes"], doc
    assert "p:short" not in site.store() and "p:kept" in site.store()
    assert not site.objects(f"{RELEASES_PREFIX}{short}/")
    assert site.objects(f"{RELEASES_PREFIX}{kept}/")
    previewed(site, "brief", "--expires", "1s")
    time.sleep(1.5)
    doc = document(site.run("hosting.previews", "--stage", "prod", "--prune", "--json"), "previews")
    assert doc["deleted"] == ["brief"] and [p["name"] for p in doc["previews"]] == ["kept"]
    out = site.run("hosting.previews", "--stage", "prod", "--prune").stdout
    assert "previews deleted: none" in out


def test_two_hundred_previews_stay_far_under_the_store_limit(site: ReleaseSite) -> None:
    from amplify_tasks import aws

    release = previewed(site, "p0", "--expires", "7d")
    pointer = parse_pointer(site.store()["p:p0"])  # with its key set, as a publish writes it
    assert pointer is not None and pointer.release == release and pointer.keys
    now = time.time()
    previews = [
        make_preview(f"pr-{n:04d}-{'x' * 30}", pointer, now=now, expires_in=86400, password="pw")
        for n in range(200)
    ]
    client = aws.client(KVS)
    write_keys(client, site.outputs.kvs_arn, [(f"p:{p.name}", p.value()) for p in previews])
    size = int(client.describe_key_value_store(KvsARN=site.outputs.kvs_arn)["TotalSizeInBytes"])
    store = site.store()
    counted = sum(len(k.encode()) + len(v.encode()) for k, v in store.items())
    print(
        f"key value store with {len(store)} keys (201 previews): {size} bytes (counted {counted})"
    )
    assert len([k for k in store if k.startswith("p:")]) == 201
    assert size < 5 * 1024 * 1024 and counted < 100_000
    assert len(listing(site)["previews"]) == 201

"""How a release stage reads its key value store, counted in the emulator's request log: the
store is listed (ListKeys) only when it holds keys the manifests do not account for; else
DescribeKeyValueStore (the key count and size) and GetKey ``live`` are all it takes. One
store client serves a whole publish.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from releases_site import KVS, V1, ReleaseSite
from test_releases import V2, released

from amplify_tasks.publishing.clients import Clients
from amplify_tasks.releases import LIVE_KEY
from amplify_tasks.releases.layout import Pointer, parse_pointer
from amplify_tasks.routing.paths import STORE_MAX_BYTES


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return ReleaseSite(inv_project, emulator, unique_name("reads"))


def store_ops(site: ReleaseSite) -> list[str]:
    return [r["operation"] for r in site.emulator.requests(service=KVS)]


def put_keys(site: ReleaseSite, items: dict[str, str]) -> None:
    """Keys the tool did not write (another pointer, another tool's), written with the API."""
    from edge_stacks import kvs_client

    client = kvs_client(site.emulator)
    arn = site.outputs.kvs_arn
    pairs = list(items.items())
    for start in range(0, len(pairs), 50):
        etag = client.describe_key_value_store(KvsARN=arn)["ETag"]
        batch = [{"Key": k, "Value": v} for k, v in pairs[start : start + 50]]
        client.update_keys(KvsARN=arn, IfMatch=etag, Puts=batch)


def test_publishes_and_rollback_read_the_store_without_listing_it(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)

    site.emulator.reset_requests()
    assert "nothing changed" in site.publish().stdout
    assert store_ops(site) == ["DescribeKeyValueStore", "GetKey"]

    site.build(V2)  # other files, the same folders: the first release's key set
    held = site.store()
    site.emulator.reset_requests()
    second = released(site.publish().stdout)
    assert store_ops(site) == [
        "DescribeKeyValueStore",  # the count, the size, the ETag the write is conditional on
        "GetKey",  # live
        "GetKey",  # the set's seal (while the manifest is written): the store holds the set
        "UpdateKeys",  # live, alone
    ]
    keys = site.keys(second)
    assert keys == site.keys(first) and site.store()[f"{keys}:d:/docs"] == "1"
    assert {k: v for k, v in site.store().items() if k != LIVE_KEY} == {
        k: v for k, v in held.items() if k != LIVE_KEY
    }
    assert site.live() == second

    site.emulator.reset_requests()
    site.run("hosting.rollback", "--stage", "prod", "--yes")
    assert "ListKeys" not in store_ops(site) and site.live() == first
    listed = site.run("hosting.releases", "--stage", "prod").stdout
    assert first in listed and second in listed

    site.emulator.reset_requests()  # verify checks what the store really holds: it lists
    site.run("hosting.verify", "--stage", "prod")
    assert "ListKeys" in store_ops(site)


def test_a_key_no_manifest_accounts_for_makes_the_publish_list_the_store(
    site: ReleaseSite,
) -> None:
    keep = {"HOSTING_KEEP_RELEASES": "1"}
    first = released(site.publish(**keep).stdout)
    put_keys(site, {"p:pr-7": Pointer(first).value()})  # a preview's pointer to the first
    site.build(V2)
    site.emulator.reset_requests()
    second = released(site.publish(**keep).stdout)
    assert store_ops(site)[:3] == ["DescribeKeyValueStore", "GetKey", "ListKeys"]

    site.build(V1)
    site.emulator.reset_requests()
    third = released(site.publish(**keep).stdout)
    assert "ListKeys" in store_ops(site)  # the preview pointer is still there
    # HOSTING_KEEP_RELEASES=1 keeps the new release and the one live when it was planned; the
    # first stays because the preview points at it: the listing showed the pointer
    assert {k.split("/")[1] for k in site.objects("_r/")} == {first, second, third}
    keys = {site.keys(r) for r in (first, second, third)}
    assert len(keys) == 1  # the same folders, no rules: one key set for all three
    (shared,) = keys
    assert set(site.store()) == {LIVE_KEY, "p:pr-7", f"{shared}:d:/docs", shared}


def test_a_preview_publish_reads_the_store_without_listing_it(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)
    site.build(V2)
    site.emulator.reset_requests()
    site.publish("--preview", "pr-1")
    assert store_ops(site) == [
        "DescribeKeyValueStore",  # the count, the size, the ETag the write is conditional on
        "GetKey",  # live
        "GetKey",  # p:pr-1, the store not being listed
        "GetKey",  # the seal of the release's set (the live one's: the same folders)
        "UpdateKeys",  # p:pr-1, alone
    ]
    store = site.store()
    preview = parse_pointer(store["p:pr-1"])
    assert site.live() == first and preview is not None and preview.release != first
    assert preview.keys == site.keys(first) and store[f"{preview.keys}:d:/docs"] == "1"


def delete_keys(site: ReleaseSite, keys: list[str]) -> None:
    from edge_stacks import kvs_client

    client = kvs_client(site.emulator)
    arn = site.outputs.kvs_arn
    etag = client.describe_key_value_store(KvsARN=arn)["ETag"]
    client.update_keys(KvsARN=arn, IfMatch=etag, Deletes=[{"Key": k} for k in keys])


#: V1 with a folder of its own: a key set of its own.
V3 = {**V1, "extra/index.html": "<!doctype html><title>extra</title>"}


def test_releases_are_collected_only_against_a_listed_store(site: ReleaseSite) -> None:
    """A key count that matches by chance: a key of a set missing (deleted by hand) makes up
    for a preview's pointer, so the store is read without a listing; before a release is
    collected it is listed, and the release the preview points at stays."""
    keep = {"HOSTING_KEEP_RELEASES": "1"}
    first = released(site.publish(**keep).stdout)
    site.build(V3)
    second = released(site.publish(**keep).stdout)
    put_keys(site, {"p:pr-7": Pointer(first).value()})
    delete_keys(site, [f"{site.keys(second)}:d:/extra"])

    site.build(V1)  # the first release's set: the store holds it
    site.emulator.reset_requests()
    third = released(site.publish(**keep).stdout)
    ops = store_ops(site)
    assert ops[:2] == ["DescribeKeyValueStore", "GetKey"], ops
    assert ops.count("GetKey") == 2, ops  # `live`, then the set's seal: planned unlisted
    assert ops.count("UpdateKeys") == 1, ops
    assert {k.split("/")[1] for k in site.objects("_r/")} == {first, second, third}
    assert site.store()["p:pr-7"] == Pointer(first).value()
    assert "ListKeys" in ops  # listed before collecting (from the transfers on)


def test_a_set_without_its_seal_is_written_again_whole(site: ReleaseSite) -> None:
    """A set whose seal is gone (its writes, or its deletes, stopped half-way) is not taken
    as held, even when a preview's pointer makes up for the seal in the key count."""
    first = released(site.publish().stdout)
    keys = site.keys(first)
    delete_keys(site, [keys])
    put_keys(site, {"p:pr-7": Pointer(first).value()})
    site.build(V2)  # the first release's set
    site.emulator.reset_requests()
    second = released(site.publish().stdout)
    assert store_ops(site) == ["DescribeKeyValueStore", "GetKey", "GetKey", "UpdateKeys"]
    assert site.keys(second) == keys and site.store()[keys] == "1"
    assert site.store()[f"{keys}:d:/docs"] == "1"


def test_a_release_the_store_has_no_room_for_publishes_nothing(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)
    value = "v" * 1024
    fill = STORE_MAX_BYTES - sum(len(k) + len(v) for k, v in site.store().items()) - 10
    count = fill // (len(value) + 12)
    others = {f"other:{n:06d}": value for n in range(count)}
    rest = fill - count * (len(value) + 12)
    if rest > 11:
        others["other:rest"] = "r" * (rest - 10)
    put_keys(site, others)  # 10 bytes left: the new release's set needs 80
    site.build(V3)
    site.emulator.reset_requests()
    failed = site.publish(check=False)
    (line,) = failed.stderr.strip().splitlines()
    assert failed.returncode == 2, failed.stderr
    assert "over CloudFront's 5242880; nothing was published: keep fewer releases" in line
    assert site.writes() == [] and site.live() == first


def test_one_client_per_service_for_a_whole_publish(aws_env: dict[str, str]) -> None:
    clients = Clients(lambda: "", 4)
    kvs = clients.get("cloudfront-keyvaluestore")
    assert clients.get("cloudfront-keyvaluestore") is kvs
    assert clients.get("s3") is clients.get("s3")
    assert clients.get("cloudfront") is not kvs


def test_a_release_id_sorts_after_one_made_in_the_same_second_or_by_a_clock_ahead() -> None:
    from amplify_tasks.releases import is_release_id, new_release_id

    now = 1_796_300_000.0  # 2026-12-03 12:13:20 UTC
    same = new_release_id(now)
    for after in (same, same[:-4] + "fffe", new_release_id(now + 3600)):
        made = new_release_id(now, after=after)
        assert is_release_id(made) and made > after
    last = same[:-4] + "ffff"  # no higher suffix in that second: the next one
    assert new_release_id(now, after=last)[:15] == new_release_id(now + 1)[:15]
    assert new_release_id(now + 1, after=same) > same  # a later second: as made


def test_the_store_client_is_asked_for_once_at_a_time_while_a_release_is_planned(
    site: ReleaseSite,
) -> None:
    """prepare makes the store's client on the pool while the manifests are read; it asks
    for it again only once that is done, so one client is made, not two at once."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from amplify_tasks import aws
    from amplify_tasks.releases.origin import Origin
    from amplify_tasks.releases.prepare import Stage, hashed_files, prepare
    from amplify_tasks.sync import Hasher, HeaderRules

    first = released(site.publish().stdout)
    busy, most, lock = [0], [0], threading.Lock()
    client = aws.client(KVS)

    def kvs() -> Any:  # the real client, slow to make as botocore's first one is
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(0.3)
        with lock:
            busy[0] -= 1
        return client

    stage = Stage(site.bucket, site.outputs.kvs_arn, aws.client("s3"), kvs)
    with ThreadPoolExecutor(4) as pool:
        files = hashed_files(site.project.root / "dist", HeaderRules(), Hasher(pool))
        prepared = prepare(
            stage,
            files,
            pool,
            release_id="20261203-000000-0000",
            index_document="index.html",
            origin=Origin(),
            keep=10,
        )
    assert prepared.plan.identical and prepared.store.live is not None
    assert prepared.store.live.release == first and most[0] == 1

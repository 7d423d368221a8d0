"""The bucket listing: every page is read, neither the manifest nor the stage lock takes a
place in a page (the lock is not listed at all), keys sorting before them are found too, and
the manifest is fetched only when its ETag in the listing says the header record changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from amplify_tasks import aws
from amplify_tasks.sync.content import HeaderRules
from amplify_tasks.sync.listing import LOCK_KEY, MANIFEST_KEY, list_remote
from amplify_tasks.sync.manifest import Manifest, manifest_from


@pytest.fixture
def s3(aws_env: dict[str, str]) -> Any:
    return aws.client("s3")


def fill(s3: Any, bucket: str, names: dict[str, bytes]) -> None:
    s3.create_bucket(Bucket=bucket)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=names[k]), names))


def test_every_page_is_read(s3: Any, emulator: Any, unique_name: Callable[[str], str]) -> None:
    bucket = unique_name("list")
    names = {f"k{i:03d}": b"x" * i for i in range(23)}
    fill(s3, bucket, names)
    emulator.reset_requests()
    found = list_remote(s3, bucket, page_keys=10)
    assert {k: o.size for k, o in found.items()} == {k: len(v) for k, v in names.items()}
    pages = [r for r in emulator.requests(service="s3") if r["bucket"] == bucket]
    assert [r["operation"] for r in pages] == ["ListObjectsV2"] * 4  # 3 pages + the first key


def test_manifest_takes_no_page_and_keys_before_it_are_found(
    s3: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    bucket = unique_name("list")
    site = {f"k{i:03d}": b"x" for i in range(20)}
    fill(s3, bucket, {MANIFEST_KEY: b"{}", **site})
    emulator.reset_requests()
    found = list_remote(s3, bucket, page_keys=10)
    assert set(found) == {MANIFEST_KEY, *site}
    pages = [r for r in emulator.requests(service="s3") if r["bucket"] == bucket]
    assert len(pages) == 3  # 20 site keys: 2 pages; the manifest came with the one-key request

    early = {"!first.txt": b"1", "-dash.html": b"2", ".amplify-tasks/": b"3"}
    for key, body in early.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    found = list_remote(s3, bucket, page_keys=10)
    assert set(found) == {MANIFEST_KEY, *site, *early}
    assert set(list_remote(s3, bucket, page_keys=2)) == {MANIFEST_KEY, *site, *early}


def test_the_lock_takes_no_place_in_a_page_and_is_not_listed(
    s3: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    bucket = unique_name("list")
    site = {f"k{i:03d}": b"x" for i in range(20)}
    fill(s3, bucket, {MANIFEST_KEY: b"{}", LOCK_KEY: b"{}", **site})
    emulator.reset_requests()
    found = list_remote(s3, bucket, page_keys=10)
    assert set(found) == {MANIFEST_KEY, *site}
    pages = [r for r in emulator.requests(service="s3") if r["bucket"] == bucket]
    assert len(pages) == 3  # the one-key request, then 2 pages of 10: as without the lock
    s3.delete_object(Bucket=bucket, Key=MANIFEST_KEY)
    assert set(list_remote(s3, bucket, page_keys=10)) == set(site)


def test_manifest_is_read_only_when_the_rules_differ(
    s3: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    bucket = unique_name("list")
    current = HeaderRules().state()
    fill(s3, bucket, {MANIFEST_KEY: Manifest(current).body()})
    remote = list_remote(s3, bucket)
    emulator.reset_requests()
    assert manifest_from(s3, bucket, remote, current) == Manifest(current)
    assert emulator.requests(service="s3") == []  # the ETag told us

    other = HeaderRules.from_config([{"glob": "*.css", "cache_control": "no-store"}]).state()
    assert manifest_from(s3, bucket, remote, other) == Manifest(current)  # the old rules, read
    gets = [r["key"] for r in emulator.requests(service="s3", operation="GetObject")]
    assert gets == [MANIFEST_KEY]
    assert manifest_from(s3, bucket, {}, current) is None  # no manifest: unknown


def test_a_record_with_unknown_keys_is_read_and_a_format_1_record_too(
    s3: Any, unique_name: Callable[[str], str]
) -> None:
    bucket = unique_name("list")
    current = HeaderRules().state()
    pending = Manifest(current, {"a.css": "e1"})
    fill(s3, bucket, {MANIFEST_KEY: pending.body()})
    assert manifest_from(s3, bucket, list_remote(s3, bucket), current) == pending
    old = json.dumps({"format": 1, "rules": current}).encode()
    s3.put_object(Bucket=bucket, Key=MANIFEST_KEY, Body=old)
    assert manifest_from(s3, bucket, list_remote(s3, bucket), current) == Manifest(current)


def test_raw_timestamp_client_leaves_listing_dates_unparsed(
    aws_env: dict[str, str], unique_name: Callable[[str], str]
) -> None:
    sess = aws.session()
    raw = aws.client("s3", sess=sess, raw_timestamps=True)
    parsed = aws.client("s3", sess=sess)
    bucket = unique_name("list")
    fill(parsed, bucket, {"a.txt": b"a"})
    (item,) = raw.list_objects_v2(Bucket=bucket)["Contents"]
    assert isinstance(item["LastModified"], str) and item["LastModified"][:2] == "20"
    (item,) = parsed.list_objects_v2(Bucket=bucket)["Contents"]
    assert not isinstance(item["LastModified"], str)  # other clients still parse them
    assert raw.meta.region_name == parsed.meta.region_name


@pytest.mark.parametrize(
    "others",
    [
        {},  # the lock alone: a first publish
        {MANIFEST_KEY: b"{}", **{f"k{i:03d}": b"x" for i in range(25)}},
        {"!first.txt": b"1", MANIFEST_KEY: b"{}", **{f"k{i:03d}": b"x" for i in range(5)}},
    ],
)
def test_with_a_key_of_ours_the_pages_go_alongside_and_nothing_more_is_sent(
    s3: Any, emulator: Any, unique_name: Callable[[str], str], others: dict[str, bytes]
) -> None:
    bucket = unique_name("list")
    fill(s3, bucket, {LOCK_KEY: b"{}", **others})
    emulator.reset_requests()
    plain = list_remote(s3, bucket, page_keys=10)
    sent = len([r for r in emulator.requests(service="s3") if r["bucket"] == bucket])
    emulator.reset_requests()
    wire = aws.publish_s3(aws.session(), max_pool=4)
    assert list_remote(wire, bucket, page_keys=10, ours_present=True) == plain
    assert set(plain) == set(others)
    assert len([r for r in emulator.requests(service="s3") if r["bucket"] == bucket]) == sent

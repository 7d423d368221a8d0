"""The sync against the emulator over HTTP: requests counted from the emulator's log, headers
read back from the bucket, the upload order, deletes, the guard and recovery after a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from amplify_tasks import aws
from amplify_tasks.sync import LOCK_KEY, MANIFEST_KEY, SyncPlan, SyncResult, etag
from amplify_tasks.sync.content import IMMUTABLE, REVALIDATE, HeaderRules
from amplify_tasks.sync.manifest import Manifest, read_manifest
from amplify_tasks.sync.run import SyncOptions, plan_sync, run_plan, sync_dist

SITE = {
    "index.html": b"<!doctype html><title>home</title><script src=js/app.3f9a1c2b.js></script>",
    "about/index.html": b"<!doctype html><title>about</title>",
    "docs/guide.html": b"<!doctype html><title>guide</title>",
    "404.html": b"<!doctype html><title>missing</title>",
    "css/site.css": b"body { color: #333 }",
    "js/app.3f9a1c2b.js": b"console.log('app')",
    "img/logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "robots.txt": b"User-agent: *",
}


def write_site(root: Path, files: dict[str, bytes] = SITE) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


class Bucket:
    """A fresh bucket on the emulator and a sync into it."""

    def __init__(self, emulator: Any, name: str) -> None:
        self.emulator = emulator
        self.name = name
        self.s3 = aws.client("s3")
        self.s3.create_bucket(Bucket=name)
        self.wire = aws.publish_s3(aws.session(), max_pool=20)  # the publish's client

    def sync(
        self, dist: Path, rules: HeaderRules | None = None, **options: Any
    ) -> tuple[SyncPlan, SyncResult | None]:
        dry_run = options.pop("dry_run", False)
        return sync_dist(
            self.wire,
            self.name,
            dist,
            rules=rules,
            options=SyncOptions(**options),
            dry_run=dry_run,
        )

    def requests(self) -> list[dict[str, Any]]:
        return [r for r in self.emulator.requests(service="s3") if r["bucket"] == self.name]

    def ops(self, operation: str | None = None) -> list[str]:
        return [
            r["key"] if operation else r["operation"]
            for r in self.requests()
            if operation is None or r["operation"] == operation
        ]

    def objects(self) -> set[str]:
        resp = self.s3.list_objects_v2(Bucket=self.name)
        return {o["Key"] for o in resp.get("Contents", [])}

    def head(self, key: str) -> dict[str, Any]:
        result: dict[str, Any] = self.s3.head_object(Bucket=self.name, Key=key)
        return result


@pytest.fixture
def bucket(emulator: Any, aws_env: dict[str, str], unique_name: Callable[[str], str]) -> Bucket:
    return Bucket(emulator, unique_name("sync"))


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return write_site(tmp_path / "dist")


def test_first_publish_uploads_everything_with_headers(bucket: Bucket, dist: Path) -> None:
    _, result = bucket.sync(dist)
    assert result is not None and result.ok
    assert sorted(result.uploaded) == sorted(SITE)
    assert result.bytes_sent == sum(len(v) for v in SITE.values())
    assert bucket.objects() == set(SITE) | {MANIFEST_KEY}
    assert sorted(bucket.ops("PutObject")) == sorted([*SITE, MANIFEST_KEY])
    html = bucket.head("index.html")
    assert html["ContentType"] == "text/html; charset=utf-8"
    assert html["CacheControl"] == REVALIDATE
    bundle = bucket.head("js/app.3f9a1c2b.js")
    assert bundle["ContentType"] == "text/javascript; charset=utf-8"
    assert bundle["CacheControl"] == IMMUTABLE
    assert bucket.head("img/logo.svg")["ContentType"] == "image/svg+xml; charset=utf-8"


def test_no_change_sends_no_put_and_only_fixed_reads(bucket: Bucket, dist: Path) -> None:
    bucket.sync(dist)
    bucket.emulator.reset_requests()
    plan, result = bucket.sync(dist)
    assert plan.empty and result is not None and result.unchanged == len(SITE)
    # a page of keys plus the one-key request that shows the manifest and its ETag: the same
    # rules, so the manifest is not even read
    assert bucket.ops() == ["ListObjectsV2", "ListObjectsV2"]


def test_one_changed_file_sends_one_put(bucket: Bucket, dist: Path) -> None:
    bucket.sync(dist)
    (dist / "css" / "site.css").write_bytes(b"body { color: #444 }")  # same size, new bytes
    bucket.emulator.reset_requests()
    _, result = bucket.sync(dist)
    assert result is not None and result.uploaded == ["css/site.css"]
    assert bucket.ops("PutObject") == ["css/site.css"]


def test_rebuilt_tree_with_new_mtimes_sends_no_put(
    bucket: Bucket, dist: Path, tmp_path: Path
) -> None:
    bucket.sync(dist)
    shutil.rmtree(dist)
    time.sleep(0.01)
    write_site(dist)
    future = time.time() + 3600
    for path in dist.rglob("*"):
        os.utime(path, (future, future))
    bucket.emulator.reset_requests()
    _, result = bucket.sync(dist)
    assert result is not None and result.uploaded == []
    assert bucket.ops("PutObject") == []


def test_header_rule_change_fixes_headers_without_a_put(bucket: Bucket, dist: Path) -> None:
    bucket.sync(dist)
    rules = HeaderRules.from_config([{"glob": "*.css", "cache_control": "public, max-age=600"}])
    bucket.emulator.reset_requests()
    _, result = bucket.sync(dist, rules)
    assert result is not None and result.copied == ["css/site.css"] and result.uploaded == []
    assert bucket.ops("GetObject") == [MANIFEST_KEY]  # other rules: the old ones are read
    # the new rules are recorded before the copy, with the CSS listed as unknown, then again
    # once the copy is done
    writes = [(r["operation"], r["key"]) for r in bucket.requests() if r["method"] == "PUT"]
    assert writes == [
        ("PutObject", MANIFEST_KEY),
        ("CopyObject", "css/site.css"),
        ("PutObject", MANIFEST_KEY),
    ]
    assert read_manifest(bucket.s3, bucket.name) == Manifest(rules.state())
    head = bucket.head("css/site.css")
    assert head["CacheControl"] == "public, max-age=600"
    assert head["ContentType"] == "text/css; charset=utf-8"
    bucket.emulator.reset_requests()
    plan, _ = bucket.sync(dist, rules)
    assert plan.empty and bucket.ops() == ["ListObjectsV2", "ListObjectsV2"]


def test_upload_order_and_deletes_last(bucket: Bucket, dist: Path) -> None:
    bucket.s3.put_object(Bucket=bucket.name, Key="old/stale.js", Body=b"x")
    bucket.emulator.reset_requests()
    bucket.sync(dist)
    writes = [(r["operation"], r["key"]) for r in bucket.requests() if r["method"] != "GET"]
    keys = [key for op, key in writes if op == "PutObject" and key != MANIFEST_KEY]
    pages = {"about/index.html", "docs/guide.html", "404.html"}
    assets = set(SITE) - pages - {"index.html"}
    assert set(keys[: len(assets)]) == assets
    assert set(keys[len(assets) : len(assets) + len(pages)]) == pages
    assert keys[-1] == "index.html"
    ops = [op for op, _ in writes]
    assert ops.index("DeleteObjects") > max(
        i for i, op in enumerate(ops) if op == "PutObject" and writes[i][1] != MANIFEST_KEY
    )
    assert "old/stale.js" not in bucket.objects()


def test_delete_guard_holds_and_uploads_stay(bucket: Bucket, dist: Path) -> None:
    for i in range(3):
        bucket.s3.put_object(Bucket=bucket.name, Key=f"old/{i}.js", Body=b"x")
    bucket.emulator.reset_requests()
    plan, result = bucket.sync(dist, max_deletes=2)
    assert plan.deletes_blocked and result is not None
    assert result.deletes_blocked == 3 and result.deleted == []
    assert "DeleteObjects" not in bucket.ops() and "DeleteObject" not in bucket.ops()
    assert {f"old/{i}.js" for i in range(3)} <= bucket.objects()
    assert set(result.uploaded) == set(SITE)
    _, result = bucket.sync(dist, max_deletes=3)
    assert result is not None and sorted(result.deleted) == [f"old/{i}.js" for i in range(3)]


def test_manifest_and_lock_are_never_stale(bucket: Bucket, dist: Path) -> None:
    bucket.s3.put_object(Bucket=bucket.name, Key=LOCK_KEY, Body=b"{}")  # a publish holds it
    bucket.sync(dist)
    bucket.emulator.reset_requests()
    plan, _ = bucket.sync(dist, force=True)
    assert bucket.ops("ListObjectsV2") == [None, None]  # the manifest still has no page
    assert LOCK_KEY not in bucket.ops("PutObject") + bucket.ops("GetObject")
    assert not {MANIFEST_KEY, LOCK_KEY} & {*plan.deletes, *(c.key for c in plan.changes)}
    assert {MANIFEST_KEY, LOCK_KEY} <= bucket.objects()


def test_unchanged_multipart_file_is_not_uploaded_again(bucket: Bucket, dist: Path) -> None:
    big = dist / "media" / "video.mp4"
    big.parent.mkdir()
    size = etag.MULTIPART_THRESHOLD + 1234
    big.write_bytes(os.urandom(size))
    bucket.emulator.reset_requests()
    bucket.sync(dist)
    assert len(bucket.ops("UploadPart")) == etag.part_count(size)
    remote = bucket.head("media/video.mp4")["ETag"].strip('"')
    assert remote.endswith(f"-{etag.part_count(size)}")
    assert remote in etag.file_etags(str(big), size)
    bucket.emulator.reset_requests()
    plan, _ = bucket.sync(dist)
    assert plan.empty
    assert not {"PutObject", "UploadPart", "CreateMultipartUpload"} & set(bucket.ops())


def test_dry_run_changes_nothing(bucket: Bucket, dist: Path) -> None:
    bucket.s3.put_object(Bucket=bucket.name, Key="stale.txt", Body=b"x")
    bucket.emulator.reset_requests()
    plan, result = bucket.sync(dist, dry_run=True)
    assert result is None and len(plan.uploads) == len(SITE) and plan.deletes == ("stale.txt",)
    assert bucket.ops() == ["ListObjectsV2", "ListObjectsV2"]
    assert bucket.objects() == {"stale.txt"}


def test_failure_mid_upload_deletes_nothing_and_a_rerun_finishes(
    bucket: Bucket, dist: Path
) -> None:
    bucket.s3.put_object(Bucket=bucket.name, Key="stale.txt", Body=b"x")
    bucket.emulator.inject_fault(
        403, method="PUT", path_regex=rf"/{bucket.name}/css/site\.css", code="AccessDenied"
    )
    _, result = bucket.sync(dist)
    assert result is not None and not result.ok
    assert [k for k, _ in result.failures] == ["css/site.css"]
    assert "AccessDenied" in result.failures[0][1]
    assert "stale.txt" in bucket.objects()
    assert "index.html" not in bucket.objects()  # later phases never started
    # the record came first: the object that was there before is listed as unknown
    stale_etag = bucket.head("stale.txt")["ETag"].strip('"')
    assert read_manifest(bucket.s3, bucket.name) == Manifest(
        HeaderRules().state(), {"stale.txt": stale_etag}
    )
    bucket.emulator.reset_requests()
    _, result = bucket.sync(dist)
    assert result is not None and result.ok and result.deleted == ["stale.txt"]
    pages = {"index.html", "about/index.html", "docs/guide.html", "404.html"}
    assert sorted(result.uploaded) == sorted(pages | {"css/site.css"})
    assert bucket.objects() == set(SITE) | {MANIFEST_KEY}


def test_a_guard_stops_the_sync_between_phases(bucket: Bucket, dist: Path) -> None:
    bucket.s3.put_object(Bucket=bucket.name, Key="stale.txt", Body=b"x")
    answers = iter(["", "the lock was taken over"])  # go on with the assets, then stop
    with ThreadPoolExecutor(4) as pool:
        plan = plan_sync(bucket.s3, bucket.name, dist, pool, rules=HeaderRules())
        result = run_plan(plan, bucket.s3, pool, guard=lambda: next(answers, "stop"))
    assert result.stopped == "the lock was taken over" and not result.ok
    pages = {"index.html", "about/index.html", "docs/guide.html", "404.html"}
    assert set(result.uploaded) == set(SITE) - pages and result.not_attempted == len(pages)
    assert "stale.txt" in bucket.objects() and result.deleted == []

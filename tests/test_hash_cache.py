"""The hash cache (sync.hashcache) and the publish's one scan: a file the record knows as it
is now is not read again, a file changed since is hashed and uploaded however its mtime was
kept, a record that cannot be read is ignored, the record holds no secret and lives under
the state folder; a hook that runs between the scan and the plan makes the sync scan again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from test_publish import Site, new_site

from amplify_tasks import aws
from amplify_tasks.sync import HashCache, HeaderRules, LocalFile, hash_ahead, scan_dist
from amplify_tasks.sync.hashcache import RACY_NS, record_path
from amplify_tasks.sync.run import CHANGED, Hasher, plan_sync, sync_dist

SECRET = "s3cr3t-preview-password"


def _age(path: Path, seconds: float = 10.0) -> None:
    """Set ``path``'s mtime ``seconds`` back (its ctime stays now)."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "css").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>home</title>")
    (dist / "css" / "site.css").write_text("body { margin: 0 }")
    return dist.resolve()


def _file(dist: Path, key: str) -> LocalFile:
    (lf,) = [f for f in scan_dist(dist) if f.key == key]
    return lf


def test_an_entry_holds_only_while_size_mtime_ctime_and_inode_are_the_same(
    tmp_path: Path,
) -> None:
    dist = _dist(tmp_path)
    state = tmp_path / "state"
    lf = _file(dist, "index.html")
    cache = HashCache.load(state, dist)
    cache.put(lf, frozenset({"abc"}), time.time_ns() + RACY_NS + 1)
    cache.save()
    again = HashCache.load(state, dist)
    assert again.get(lf) == frozenset({"abc"})
    assert record_path(state, dist).parent == state / "hashes"
    for field in ("size", "mtime_ns", "ctime_ns", "inode"):
        other = dataclasses.replace(lf, **{field: getattr(lf, field) + 1})
        assert again.get(other) is None, field


def test_a_file_changed_close_to_its_reading_is_not_recorded(tmp_path: Path) -> None:
    """A rewrite with the same size in the same timestamp tick could keep every stat field:
    such an entry is never written (git's racy entries)."""
    dist = _dist(tmp_path)
    lf = scan_dist(dist)[0]
    cache = HashCache.load(tmp_path / "state", dist)
    changed_at = max(lf.mtime_ns, lf.ctime_ns)
    cache.put(lf, frozenset({"abc"}), changed_at + RACY_NS - 1)
    assert cache.get(lf) is None
    cache.put(lf, frozenset({"abc"}), changed_at + RACY_NS)
    assert cache.get(lf) == frozenset({"abc"})


@pytest.mark.parametrize(
    "text",
    [
        b"\x00\xffnot json",
        b"[]",
        b'{"version": 999, "dist": "", "files": {}}',
        b'{"version": 1, "dist": "/elsewhere", "files": {}}',
        b'{"version": 1, "dist": "DIST", "files": {"index.html": [1, 2, "x", 4, ["a"]]}}',
        b'{"version": 1, "dist": "DIST", "files": {"index.html": [1, 2, 3]}}',
        b'{"version": 1, "dist": "DIST", "files": []}',
    ],
)
def test_a_record_that_cannot_be_read_is_ignored(tmp_path: Path, text: bytes) -> None:
    dist = _dist(tmp_path)
    path = record_path(tmp_path / "state", dist)
    path.parent.mkdir(parents=True)
    path.write_bytes(text.replace(b"DIST", str(dist).encode()))
    cache = HashCache.load(tmp_path / "state", dist)
    assert all(cache.get(lf) is None for lf in scan_dist(dist))


def test_a_state_folder_that_cannot_be_written_only_means_hashing(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder would be")
    cache = HashCache.load(blocker, dist)
    cache.put(scan_dist(dist)[0], frozenset({"abc"}), time.time_ns() + RACY_NS + 1)
    cache.save()  # no error
    assert blocker.read_text().startswith("a file")


class Bucket:
    def __init__(self, name: str) -> None:
        self.name = name
        self.s3 = aws.client("s3")


@pytest.fixture
def bucket(emulator: Any, aws_env: dict[str, str], unique_name: Callable[[str], str]) -> Bucket:
    b = Bucket(unique_name("hc"))
    b.s3.create_bucket(Bucket=b.name)
    return b


def _plan(bucket: Bucket, dist: Path, cache: HashCache, *, rescan: bool = True) -> Any:
    with ThreadPoolExecutor(4) as pool:
        hashing = pool.submit(hash_ahead, dist, pool, None, None, cache)
        return plan_sync(
            bucket.s3,
            bucket.name,
            dist,
            pool,
            rules=HeaderRules(),
            hashing=hashing,
            rescan=rescan,
        )


def test_the_plan_takes_a_known_file_from_the_record_without_reading_it(
    bucket: Bucket, tmp_path: Path
) -> None:
    """A planted ETag for a file as it is now is believed (so the file was not read); once
    the file's ctime moves, it is hashed again and found unchanged."""
    dist = _dist(tmp_path)
    sync_dist(bucket.s3, bucket.name, dist)
    state = tmp_path / "state"
    index = _file(dist, "index.html")
    planted = HashCache.load(state, dist)
    planted.put(index, frozenset({"0" * 32}), time.time_ns() + RACY_NS + 1)
    assert [(c.key, c.reason) for c in _plan(bucket, dist, planted).changes] == [
        ("index.html", CHANGED)
    ]
    os.chmod(index.path, 0o644)  # a new ctime, the same bytes, size and mtime
    plan = _plan(bucket, dist, planted)
    assert plan.changes == () and plan.unchanged == 2


def test_the_plan_without_a_rescan_uses_the_files_scanned_ahead(
    bucket: Bucket, tmp_path: Path
) -> None:
    dist = _dist(tmp_path)
    cache = HashCache.load(tmp_path / "state", dist)
    with ThreadPoolExecutor(4) as pool:
        hashing = pool.submit(hash_ahead, dist, pool, None, None, cache)
        hashing.result()
        (dist / "late.txt").write_text("written after the scan")
        kept = plan_sync(
            bucket.s3, bucket.name, dist, pool, rules=HeaderRules(), hashing=hashing, rescan=False
        )
        again = plan_sync(
            bucket.s3, bucket.name, dist, pool, rules=HeaderRules(), hashing=hashing, rescan=True
        )
    assert "late.txt" not in {c.key for c in kept.changes}
    assert "late.txt" in {c.key for c in again.changes}


def test_each_file_is_looked_up_in_the_record_once(tmp_path: Path) -> None:
    """The hashing's start and the plan share one lookup per file (a rescanned file, a new
    record, is looked up again)."""
    dist = _dist(tmp_path)
    files = scan_dist(dist)
    cache = HashCache.load(tmp_path / "state", dist)
    for lf in files:
        cache.put(lf, frozenset({lf.key}), time.time_ns() + RACY_NS + 1)
    keys: list[str] = []
    get = cache.get

    def counted(lf: LocalFile) -> frozenset[str] | None:
        keys.append(lf.key)
        return get(lf)

    cache.get = counted  # type: ignore[method-assign]
    with ThreadPoolExecutor(2) as pool:
        hasher = Hasher(pool, cache)
        hasher.start(files)
        assert hasher.etags_of(files) == [frozenset({lf.key}) for lf in files]
        assert sorted(keys) == sorted(lf.key for lf in files)
        assert hasher.etags_of(scan_dist(dist)) == [frozenset({lf.key}) for lf in files]
    assert len(keys) == 2 * len(files)


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> Site:
    inv_project.env["HOSTING_SMOKE_TEST"] = "false"
    inv_project.env["HOSTING_PREVIEW_PASSWORD"] = SECRET
    return new_site(inv_project, emulator, unique_name)


def _uploaded(result: Any) -> int:
    found = re.search(r"uploaded +(\d+)", result.stdout)
    assert found, result.stdout
    return int(found.group(1))


def _record(site: Site) -> dict[str, Any]:
    (path,) = (site.project.root / ".amplify-tasks" / "hashes").glob("*.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_publish_records_the_hashes_and_still_uploads_a_file_rewritten_with_its_mtime_kept(
    site: Site,
) -> None:
    dist = site.project.root / "dist"
    for path in dist.rglob("*"):
        if path.is_file():
            _age(path)
    time.sleep(RACY_NS / 1e9 + 0.1)  # every file's ctime old enough to be recorded
    site.publish()  # the first: every file is new, nothing is hashed
    site.publish()  # every file hashed once and recorded
    record = _record(site)
    assert record["dist"] == str(dist.resolve())
    keys = {"index.html", "about/index.html", "css/site.css", "js/app.3f9a1c2b.js"}
    assert set(record["files"]) == keys
    for size, mtime, ctime, inode, etags in record["files"].values():
        assert all(isinstance(n, int) for n in (size, mtime, ctime, inode))
        assert all(re.fullmatch("[0-9a-f]{32}", e) for e in etags)
    text = json.dumps(record)
    assert SECRET not in text and "testing" not in text

    css = dist / "css" / "site.css"
    st = css.stat()
    css.write_text("body { margin: 9 }")  # the same size, other bytes
    os.utime(css, ns=(st.st_atime_ns, st.st_mtime_ns))  # the mtime put back
    assert css.stat().st_mtime_ns == st.st_mtime_ns and css.stat().st_size == st.st_size
    result = site.publish()
    assert _uploaded(result) == 1


def test_publish_ignores_a_corrupt_record(site: Site) -> None:
    dist = (site.project.root / "dist").resolve()
    path = record_path(site.project.root / ".amplify-tasks", dist)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00 not a record")
    site.publish()
    result = site.publish()
    assert _uploaded(result) == 0 and "Traceback" not in result.stderr


def test_a_pre_sync_hook_that_adds_a_file_gets_it_published(site: Site) -> None:
    hook = site.project.write("amplify/hooks/pre-sync.sh", "echo late > dist/late.txt\n")
    hook.chmod(0o755)
    site.publish()
    assert "late.txt" in site.objects()


def test_a_dry_run_writes_no_record(site: Site) -> None:
    dist = site.project.root / "dist"
    for path in dist.rglob("*"):
        if path.is_file():
            _age(path)
    time.sleep(RACY_NS / 1e9 + 0.1)
    site.publish()
    hashes = site.project.root / ".amplify-tasks" / "hashes"
    site.publish("--dry-run")
    assert not hashes.exists()
    site.publish()
    assert len(list(hashes.glob("*.json"))) == 1

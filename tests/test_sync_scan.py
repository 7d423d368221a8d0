"""Scanning the dist folder and the pure diff: exclusions, ignore rules, symlinks, keys,
ETags (plain and multipart) and the plan's reasons and order."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import pathspec
import pytest

from amplify_tasks.errors import SyncError
from amplify_tasks.sync import etag
from amplify_tasks.sync.content import HeaderRules
from amplify_tasks.sync.listing import MANIFEST_KEY, RemoteObject
from amplify_tasks.sync.manifest import Manifest
from amplify_tasks.sync.plan import ASSETS, PAGES, ROOT_INDEX, SyncPlan, make_plan
from amplify_tasks.sync.scan import LocalFile, scan_dist


def write(root: Path, rel: str, data: bytes = b"x") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def keys(files: Sequence[LocalFile]) -> list[str]:
    return [f.key for f in files]


def test_scan_excludes_dotfiles_but_keeps_well_known(tmp_path: Path) -> None:
    for rel in [
        "index.html",
        "a/b/c.css",
        ".env",
        ".env.production",
        ".git/HEAD",
        ".DS_Store",
        "a/.DS_Store",
        "a/Thumbs.db",
        ".hidden/x.js",
        ".well-known/security.txt",
        ".well-known/.secret",
    ]:
        write(tmp_path, rel)
    assert keys(scan_dist(tmp_path)) == [
        ".well-known/security.txt",
        "a/b/c.css",
        "index.html",
    ]


def test_scan_applies_ignore_rules(tmp_path: Path) -> None:
    for rel in ["index.html", "maps/app.js.map", "app.js.map", "keep.js", "drafts/x.html"]:
        write(tmp_path, rel)
    spec = pathspec.PathSpec.from_lines("gitignore", ["*.map", "/drafts/"])
    assert keys(scan_dist(tmp_path, spec.match_file)) == ["index.html", "keep.js"]


def test_scan_sizes_and_forward_slash_keys(tmp_path: Path) -> None:
    write(tmp_path, "deep/er/file.txt", b"12345")
    (f,) = scan_dist(tmp_path)
    assert f.key == "deep/er/file.txt" and f.size == 5 and os.path.isfile(f.path)


def test_symlink_outside_the_dist_folder_is_refused(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    write(dist, "index.html")
    secret = write(tmp_path, "secret.txt", b"secret")
    (dist / "leak.txt").symlink_to(secret)
    with pytest.raises(SyncError, match="outside the dist folder"):
        scan_dist(dist)


def test_symlink_inside_the_dist_folder_is_followed_and_loops_are_cut(tmp_path: Path) -> None:
    write(tmp_path, "index.html")
    write(tmp_path, "real/a.css")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "loop").symlink_to(tmp_path)
    assert keys(scan_dist(tmp_path)) == ["alias/a.css", "index.html", "real/a.css"]


def test_broken_symlink_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "index.html")
    (tmp_path / "gone.js").symlink_to(tmp_path / "nowhere.js")
    with pytest.raises(SyncError, match="broken symlink"):
        scan_dist(tmp_path)


def test_missing_empty_and_non_folder_dist_give_errors(tmp_path: Path) -> None:
    with pytest.raises(SyncError, match="does not exist"):
        scan_dist(tmp_path / "nope")
    with pytest.raises(SyncError, match="no files to publish"):
        scan_dist(tmp_path)
    write(tmp_path, ".env")
    with pytest.raises(SyncError, match="no files to publish"):
        scan_dist(tmp_path)
    with pytest.raises(SyncError, match="not a folder"):
        scan_dist(write(tmp_path, "file"))


def test_small_file_etag_is_its_md5(tmp_path: Path) -> None:
    path = write(tmp_path, "a", b"hello")
    assert etag.file_etags(str(path), 5) == {hashlib.md5(b"hello").hexdigest()}


def test_small_file_etag_reads_the_file_as_it_is_now(tmp_path: Path) -> None:
    """The size given is the scan's: a file that grew or shrank since is hashed whole, as
    it is when hashed (its ETag then differs from the listing's and it is uploaded)."""
    empty = write(tmp_path, "empty", b"")
    assert etag.file_etags(str(empty), 0) == {hashlib.md5(b"").hexdigest()}
    grown = os.urandom(etag.READ_BUFFER * 2 + 7)
    path = write(tmp_path, "grown", grown)
    assert etag.file_etags(str(path), 10) == {hashlib.md5(grown).hexdigest()}
    assert etag.file_etags(str(path), len(grown) - 1) == {hashlib.md5(grown).hexdigest()}
    assert etag.file_etags(str(path), len(grown) + 50) == {hashlib.md5(grown).hexdigest()}


def test_multipart_etag_uses_the_uploader_part_size(tmp_path: Path) -> None:
    size = etag.PART_SIZE * 2 + 123
    data = os.urandom(size)
    path = write(tmp_path, "big.bin", data)
    parts = [data[i : i + etag.PART_SIZE] for i in range(0, size, etag.PART_SIZE)]
    expected = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-3"
    assert etag.file_etags(str(path), size) == {expected, hashlib.md5(data).hexdigest()}
    assert etag.is_multipart(size) and etag.part_count(size) == 3


def plan_for(
    local: list[LocalFile],
    remote: dict[str, RemoteObject],
    etags: dict[str, str],
    *,
    rules: HeaderRules | None = None,
    manifest: Manifest | str | None = "current",
    max_deletes: int = 256,
    force: bool = False,
) -> tuple[SyncPlan, list[str]]:
    """The plan and the keys it asked to hash."""
    hashed: list[str] = []

    def etags_of(files: Sequence[LocalFile]) -> list[frozenset[str]]:
        hashed.extend(f.key for f in files)
        return [frozenset({etags[f.key]}) for f in files]

    rules = rules or HeaderRules()
    plan = make_plan(
        local,
        remote,
        bucket="b",
        rules=rules,
        manifest=Manifest(rules.state()) if manifest == "current" else manifest,  # type: ignore[arg-type]
        etags_of=etags_of,
        max_deletes=max_deletes,
        force=force,
    )
    return plan, hashed


def lf(key: str, size: int = 10) -> LocalFile:
    return LocalFile(key, f"/dist/{key}", size)


def test_diff_reasons_order_and_hashing_only_same_size() -> None:
    local = [
        lf("index.html"),
        lf("about/index.html"),
        lf("app.js"),
        lf("same.css"),
        lf("bigger.css", 11),
        lf("new.png"),
    ]
    remote = {
        "index.html": RemoteObject("index.html", 10, "old"),
        "about/index.html": RemoteObject("about/index.html", 10, "e-about"),
        "app.js": RemoteObject("app.js", 10, "old"),
        "same.css": RemoteObject("same.css", 10, "e-same"),
        "bigger.css": RemoteObject("bigger.css", 10, "x"),
        "stale.js": RemoteObject("stale.js", 1, "s"),
        MANIFEST_KEY: RemoteObject(MANIFEST_KEY, 50, Manifest(HeaderRules().state()).etag),
    }
    etags = {k.key: f"e-{k.key.split('/')[0].split('.')[0]}" for k in local}
    plan, hashed = plan_for(local, remote, etags)
    order = [(c.phase, c.key, c.reason) for c in plan.changes]
    assert order == [
        (ASSETS, "app.js", "changed"),
        (ASSETS, "bigger.css", "changed"),
        (ASSETS, "new.png", "new"),
        (ROOT_INDEX, "index.html", "changed"),
    ]
    assert plan.deletes == ("stale.js",)
    assert plan.unchanged == 2
    assert sorted(hashed) == ["about/index.html", "app.js", "index.html", "same.css"]
    assert not plan.write_manifest


def test_html_pages_go_in_the_middle_phase() -> None:
    plan, _ = plan_for([lf("index.html"), lf("a/page.html"), lf("a.css")], {}, {})
    phases = [(c.key, c.phase) for c in plan.changes]
    assert phases == [("a.css", ASSETS), ("a/page.html", PAGES), ("index.html", ROOT_INDEX)]


def test_changed_header_rules_turn_into_header_fixes() -> None:
    old = HeaderRules()
    new = HeaderRules.from_config([{"glob": "*.css", "cache_control": "no-store"}])
    local = [lf("a.css"), lf("b.js")]
    remote = {k.key: RemoteObject(k.key, 10, "same") for k in local}
    plan, _ = plan_for(
        local, remote, {"a.css": "same", "b.js": "same"}, rules=new, manifest=Manifest(old.state())
    )
    assert [(c.key, c.reason) for c in plan.changes] == [("a.css", "headers")]
    assert plan.copies[0].cache_control == "no-store"
    assert plan.write_manifest


def test_without_a_manifest_matching_objects_get_their_headers_set() -> None:
    local = [lf("a.css")]
    plan, _ = plan_for(
        local, {"a.css": RemoteObject("a.css", 10, "e")}, {"a.css": "e"}, manifest=None
    )
    assert [c.reason for c in plan.changes] == ["headers"]


def test_force_uploads_everything_again() -> None:
    local = [lf("a.css")]
    plan, _ = plan_for(local, {"a.css": RemoteObject("a.css", 10, "e")}, {"a.css": "e"}, force=True)
    assert [c.reason for c in plan.changes] == ["forced"]


def test_delete_guard_in_the_plan() -> None:
    remote = {f"old{i}": RemoteObject(f"old{i}", 1, "x") for i in range(3)}
    assert plan_for([lf("a")], remote, {}, max_deletes=2)[0].deletes_blocked
    assert not plan_for([lf("a")], remote, {}, max_deletes=3)[0].deletes_blocked


def test_hashing_uses_a_few_of_the_pool_threads_and_skips_what_is_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many files on a 32-thread pool are hashed right by at most HASH_THREADS threads; the
    batches of a cancelled hashing are never read. (A spy on file_etags counts the threads
    and holds each file a moment, so that the threads overlap.)"""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from amplify_tasks.sync import run

    files = [LocalFile(f"f{n}", str(write(tmp_path, f"f{n}", b"x" * n)), n) for n in range(300)]
    threads: set[str] = set()
    real = etag.file_etags

    def spy(path: str, size: int) -> frozenset[str]:
        threads.add(threading.current_thread().name)
        time.sleep(0.001)
        return real(path, size)

    monkeypatch.setattr(etag, "file_etags", spy)
    with ThreadPoolExecutor(32) as pool:
        got = run.Hasher(pool).etags_of(files)
        assert got == [{hashlib.md5(b"x" * n).hexdigest()} for n in range(300)]
        assert 1 <= len(threads) <= run.HASH_THREADS < 32
        gate = threading.Event()
        for _ in range(32):  # every thread busy: nothing of the next hashing starts
            pool.submit(gate.wait, 5)
        threads.clear()
        hasher = run.Hasher(pool)
        hasher.start(files)
        hasher.cancel()
        gate.set()
    assert not threads

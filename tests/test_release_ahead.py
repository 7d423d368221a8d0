"""The unchanged files' copies start before the release's plan is made, once the live
release's manifest and the hashes are known and a release is sure to be made; they are the
copies the plan makes, and nothing starts when the publish may make no release or stop
before writing. Beyond HOSTING_KEEP_RELEASES, garbage collection's store listing starts with
the transfers and the collected trees are listed at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from releases_site import KVS, V1, ReleaseSite
from test_releases import released

from amplify_tasks.releases import RELEASES_PREFIX
from amplify_tasks.releases.ahead import start_copies
from amplify_tasks.releases.layout import Pointer
from amplify_tasks.releases.manifest import FileEntry, ReleaseManifest
from amplify_tasks.releases.origin import Origin
from amplify_tasks.releases.plan import Hashed, Transfer, make_release_plan, release_keys
from amplify_tasks.releases.prepare import Stage, StageReads
from amplify_tasks.releases.state import StorePeek
from amplify_tasks.routing.paths import STORE_MAX_BYTES
from amplify_tasks.sync import LocalFile

LIVE = "20261203-100000-aaaa"
NEW = "20261203-110000-bbbb"
HTML = ("text/html; charset=utf-8", "no-cache")
#: The live release: two pages and a robots.txt in its tree, a chunk in the pool.
LIVE_FILES = {
    "index.html": FileEntry("e-index", 10, *HTML),
    "docs/index.html": FileEntry("e-docs", 11, *HTML),
    "robots.txt": FileEntry("e-robots", 12, "text/plain; charset=utf-8", "no-cache"),
    "assets/app.1111aaaa.js": FileEntry("e-app", 13, "text/javascript", "immutable", True),
}


def hashed(key: str, etag: str) -> Hashed:
    entry = LIVE_FILES.get(key)
    headers = (entry.content_type, entry.cache_control) if entry else HTML
    return Hashed(LocalFile(key, f"/dist/{key}", 10), frozenset({etag}), *headers)


def folder(changes: dict[str, str] | None = None) -> list[Hashed]:
    """The dist folder: the live release's files, with the ETags of ``changes`` ('': gone)."""
    etags = {key: entry.etag for key, entry in LIVE_FILES.items()} | (changes or {})
    return [hashed(key, etag) for key, etag in sorted(etags.items()) if etag]


def reads(total_bytes: int = 100) -> tuple[Stage, StageReads]:
    stage = Stage("bucket", "arn:kvs", s3=None, kvs=lambda: None)  # type: ignore[arg-type,return-value]
    manifests: Future[dict[str, ReleaseManifest | None]] = Future()
    manifests.set_result({LIVE: ReleaseManifest(LIVE, "2026-12-03T10:00:00Z", LIVE_FILES)})
    peek: Future[StorePeek] = Future()
    peek.set_result(StorePeek(1, total_bytes, Pointer(LIVE).value(), "etag"))
    return stage, StageReads("bucket", "arn:kvs", manifests, peek)


def started(files: list[Hashed], **kwargs: Any) -> tuple[list[Transfer], str | None]:
    """The transfers start_copies starts (a recording stand-in for the copy threads) and
    the release id it names (None: nothing started)."""
    stage, stage_reads = reads(kwargs.pop("total_bytes", 100))
    submitted: list[Transfer] = []

    def submit(transfer: Transfer) -> Future[tuple[int, str]]:
        submitted.append(transfer)
        return Future()

    options = {"removable": 0, "routing": None, "index_document": "index.html", **kwargs}
    ahead = start_copies(stage, files, stage_reads, NEW, submit, **options)
    assert (ahead is None) == (not submitted)
    if ahead is not None:
        assert sorted(ahead.started) == sorted(t.key for t in submitted)
    return submitted, ahead.release_id if ahead else None


def test_the_copies_started_ahead_are_the_plans_copies() -> None:
    files = folder({"index.html": "e-index-v2"})
    submitted, release_id = started(files)
    plan = make_release_plan(
        files,
        release_id=NEW,
        live=Pointer(LIVE),
        live_manifest=ReleaseManifest(LIVE, "2026-12-03T10:00:00Z", LIVE_FILES),
        pool={"assets/app.1111aaaa.js": LIVE_FILES["assets/app.1111aaaa.js"]},
        index_document="index.html",
        origin=Origin(),
        created="2026-12-03T11:00:00Z",
    )
    assert release_id == NEW
    assert submitted == list(plan.copies)
    assert [t.path for t in submitted] == ["docs/index.html", "robots.txt"]
    assert all(t.source.startswith(f"{RELEASES_PREFIX}{LIVE}/") for t in submitted)


def test_nothing_starts_when_nothing_changed() -> None:
    assert started(folder()) == ([], None)


def test_a_file_of_the_live_release_dropped_starts_copies_only_within_the_delete_guard() -> None:
    files = folder({"robots.txt": ""})
    assert started(files, removable=0) == ([], None)
    assert [t.path for t in started(files, removable=1)[0]] == ["docs/index.html", "index.html"]
    assert started(files, removable=None)[1] == NEW  # a preview drops nothing from the site


def test_nothing_starts_when_the_store_may_have_no_room_for_the_release() -> None:
    files = folder({"index.html": "e-index-v2"})
    keys = release_keys(sorted(h.file.key for h in files), None, "index.html")
    room = STORE_MAX_BYTES - keys.bytes
    assert started(files, total_bytes=room)[1] == NEW
    assert started(files, total_bytes=room + 1) == ([], None)


def test_the_id_sorts_after_the_live_release() -> None:
    files = folder({"index.html": "e-index-v2"})
    stage, stage_reads = reads()
    ahead = start_copies(
        stage,
        files,
        stage_reads,
        "20261203-090000-0000",  # a clock behind the one that made the live release
        lambda _t: Future(),
        removable=0,
        routing=None,
        index_document="index.html",
    )
    assert ahead is not None and ahead.release_id > LIVE
    assert all(key.startswith(f"{RELEASES_PREFIX}{ahead.release_id}/") for key in ahead.started)


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return ReleaseSite(inv_project, emulator, unique_name("ahead"))


def test_the_unchanged_files_are_copied_while_the_plan_waits_for_the_pool(
    site: ReleaseSite,
) -> None:
    """The plan waits for the pool's answer about a new chunk (held back two seconds by the
    emulator); the copies are made meanwhile."""
    first = released(site.publish().stdout)
    chunk = "assets/new.3333cccc.js"
    site.build({**V1, "index.html": "<!doctype html><title>v2</title>", chunk: "new()"})
    site.emulator.reset_requests()
    site.emulator.inject_fault(0, method="HEAD", path_regex=re.escape(chunk), delay=2.0)
    second = released(site.publish().stdout)
    s3 = site.emulator.requests(service="s3")
    (head,) = [r for r in s3 if r["method"] == "HEAD" and r["key"] == chunk]
    copies = [r for r in s3 if r["operation"] == "CopyObject"]
    assert sorted(r["key"] for r in copies) == [
        f"{RELEASES_PREFIX}{second}/{path}"
        for path in ("404.html", "docs/index.html", "robots.txt")
    ]
    assert all(r["time"] < head["time"] + 2.0 for r in copies)
    assert site.live() == second != first
    assert site.body(f"{RELEASES_PREFIX}{second}/robots.txt") == V1["robots.txt"]


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

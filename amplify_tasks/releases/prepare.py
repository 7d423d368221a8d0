"""Everything a release plan is made from, read at once: the store (its size, ETag and the live
pointer, listed only when the manifests do not account for every key), the manifests of the
stage's releases, the dist folder hashed with its headers, and what the pool
holds of the fingerprinted files no manifest vouches for (HEAD requests, those only).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks.errors import ReleaseError
from amplify_tasks.routing.paths import STORE_MAX_BYTES
from amplify_tasks.sync import HeaderRules
from amplify_tasks.sync.content import is_fingerprinted

from .gc import history, kept_releases
from .layout import new_release_id
from .manifest import FileEntry, ReleaseManifest, now_iso
from .origin import Origin
from .plan import Hashed, ReleasePlan, make_release_plan
from .state import (
    StorePeek,
    StoreState,
    head_entry,
    manifest_ids,
    peek_store,
    read_manifest,
    release_manifest,
    store_state,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.routing import CompiledRules
    from amplify_tasks.sync import Hasher, LocalFile


@dataclass(frozen=True)
class Stage:
    """A release stage's bucket and store (both '' before the stack exists: a dry run)."""

    bucket: str
    arn: str
    s3: S3Client
    kvs: Callable[[], CloudFrontKeyValueStoreClient]


@dataclass(frozen=True)
class Prepared:
    """A release plan and what it was planned against."""

    plan: ReleasePlan
    store: StoreState
    manifests: Mapping[str, ReleaseManifest | None] = field(default_factory=dict)
    live_sound: bool = True


def hashed_files(
    dist: Path,
    rules: HeaderRules,
    hasher: Hasher,
    ignore: Callable[[str], bool] | None = None,
    *,
    rescan: bool = True,
) -> list[Hashed]:
    """The dist folder's files with their ETags (hashed ahead where they are unchanged; the
    files as hashing scanned them unless ``rescan``)."""
    local = hasher.files_of(dist, ignore, rescan=rescan)
    etags = hasher.etags_of(local)
    return [
        Hashed(lf, tags, *rules.headers_for(lf.key)) for lf, tags in zip(local, etags, strict=True)
    ]


def read_manifests(stage: Stage, pool: Executor) -> dict[str, ReleaseManifest | None]:
    """Every release's manifest by id, read in parallel (None: not sound)."""
    ids = manifest_ids(stage.s3, stage.bucket)
    futures = {i: pool.submit(read_manifest, stage.s3, stage.bucket, i) for i in ids}
    return {i: f.result() for i, f in futures.items()}


@dataclass(frozen=True)
class StageReads:
    """The stage's manifests and its store's peek, under way: started once the stage's
    bucket and store are known and its lock is held, while the rest of the publish gets
    ready (the stack check, the hashing)."""

    bucket: str
    arn: str
    manifests: Future[dict[str, ReleaseManifest | None]]
    peek: Future[StorePeek] | None

    def serves(self, stage: Stage) -> bool:
        """Whether these are reads of ``stage`` (the deploy kept its bucket and store)."""
        return (self.bucket, self.arn) == (stage.bucket, stage.arn)


def start_reads(stage: Stage, pool: Executor) -> StageReads:
    """Start reading the manifests (the listing on a thread of its own, so that no pool
    thread waits for the pool) and peeking at the store (making its client on the pool)."""
    peek = pool.submit(lambda: peek_store(stage.kvs(), stage.arn)) if stage.arn else None
    manifests: Future[dict[str, ReleaseManifest | None]] = Future()
    if not stage.bucket:
        manifests.set_result({})
    else:

        def read() -> None:
            try:
                manifests.set_result(read_manifests(stage, pool))
            except BaseException as exc:  # the publish reports it when it asks
                manifests.set_exception(exc)

        threading.Thread(target=read, name="manifests", daemon=True).start()
    return StageReads(stage.bucket, stage.arn, manifests, peek)


def early_heads(
    stage: Stage, files: Sequence[LocalFile] | None, reads: StageReads | None, pool: Executor
) -> dict[str, Future[FileEntry | None]]:
    """HEADs of the fingerprinted ``files`` that no manifest names (new names, which the
    pool is asked about whatever their bytes), started while the files are hashed."""
    if not files or reads is None or not reads.serves(stage) or not stage.bucket:
        return {}
    try:
        manifests = reads.manifests.result()
    except Exception:  # prepare reports it
        return {}
    named = {p for m in manifests.values() if m for p, e in m.files.items() if e.pool}
    return {
        f.key: pool.submit(head_entry, stage.s3, stage.bucket, f.key)
        for f in files
        if f.key not in named and is_fingerprinted(f.key)
    }


def pool_holdings(
    files: Sequence[Hashed],
    manifests: Mapping[str, ReleaseManifest | None],
    stage: Stage,
    pool: Executor,
    heads: Mapping[str, Future[FileEntry | None]] | None = None,
) -> dict[str, FileEntry]:
    """What the pool holds of the fingerprinted ``files``: what the sound manifest of a kept
    release says it wrote there, else what a HEAD finds (only for the files no such
    manifest names: where one does, with other bytes or headers than the file's, the file
    is written to the pool without asking)."""
    known: dict[str, FileEntry] = {}
    for release_id in sorted(manifests):
        manifest = manifests[release_id]
        for path, entry in manifest.files.items() if manifest else ():
            if entry.pool:
                known[path] = entry
    unknown = [f for f in files if is_fingerprinted(f.file.key) and f.file.key not in known]
    if not stage.bucket:
        return known
    ahead = heads or {}
    asked = [
        (key, ahead.get(key) or pool.submit(head_entry, stage.s3, stage.bucket, key))
        for key in (f.file.key for f in unknown)
    ]
    for key, future in asked:
        found = future.result()
        if found is not None:
            known[key] = found
    return known


def prepare(
    stage: Stage,
    files: Sequence[Hashed],
    pool: Executor,
    *,
    release_id: str,
    index_document: str,
    origin: Origin,
    keep: int,
    force: bool = False,
    routing: CompiledRules | None = None,
    reads: StageReads | None = None,
    heads: Mapping[str, Future[FileEntry | None]] | None = None,
) -> Prepared:
    """Read the stage's state (``reads``, when they were started ahead for this stage) and
    plan the release of ``files`` (as ``release_id``, or an id sorting after the stage's
    newest release); the pool is vouched for by the releases that stay kept (``keep``)
    only."""
    if reads is None or not reads.serves(stage):
        reads = start_reads(stage, pool)
    manifests = reads.manifests.result()
    peeked = reads.peek.result() if reads.peek is not None else None  # before kvs() is asked
    store = (
        StoreState({}) if peeked is None else store_state(stage.kvs(), stage.arn, peeked, manifests)
    )
    live = store.live
    live_manifest, sound = (None, True)
    if stage.bucket and live is not None:
        found = manifests.get(live.release)
        live_manifest, sound = (
            (found, True) if found else release_manifest(stage.s3, stage.bucket, live.release)
        )
    newest = max([*manifests, live.release if live else ""])
    if release_id <= newest:  # made in the same second as the newest release
        release_id = new_release_id(after=newest)
    pointed = store.pointed()
    trusted = kept_releases(history(manifests), release_id, pointed, keep) & set(manifests)
    plan = make_release_plan(
        files,
        release_id=release_id,
        live=live,
        live_manifest=live_manifest,
        pool=pool_holdings(files, {i: manifests[i] for i in trusted}, stage, pool, heads),
        index_document=index_document,
        origin=origin,
        created=now_iso(),
        force=force,
        routing=routing,
        store=store,
    )
    check_store_room(store, plan, keep)
    return Prepared(plan, store, manifests, sound)


def check_store_room(store: StoreState, plan: ReleasePlan, keep: int) -> None:
    """ReleaseError when the keys of the new release's set the store lacks would take it
    past CloudFront's 5 MB (its keys and values, TotalSizeInBytes as read), before anything
    is written."""
    needed = plan.keys.bytes
    if plan.identical or store.total_bytes + needed <= STORE_MAX_BYTES:
        return
    raise ReleaseError(
        f"the key value store holds {store.total_bytes} bytes and release {plan.release_id} "
        f"needs {needed} more, over CloudFront's {STORE_MAX_BYTES}; nothing was published: "
        f"keep fewer releases (HOSTING_KEEP_RELEASES={keep} now) or publish fewer folders"
    )

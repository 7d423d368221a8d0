"""Content-addressed sync of a dist folder to a bucket: scan and list at once, diff into a
SyncPlan (data), then execute it in the safe order. The pieces live in sync_scan/plan/exec.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import AwsError, HostingError, SyncError

from . import etag
from .content import HeaderRules
from .execute import OnFile, SyncResult, execute
from .hashcache import HashCache
from .listing import MANIFEST_KEY, RemoteObject, list_remote
from .manifest import manifest_from
from .plan import CHANGED, FORCED, HEADERS, NEW, STALE, Change, SyncPlan, make_plan
from .scan import Ignore, LocalFile, scan_dist

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = [
    "CHANGED",
    "FORCED",
    "HEADERS",
    "MANIFEST_KEY",
    "NEW",
    "STALE",
    "Change",
    "LocalFile",
    "RemoteObject",
    "SyncOptions",
    "SyncPlan",
    "SyncResult",
    "execute",
    "plan_sync",
    "run_plan",
    "scan_dist",
    "sync_dist",
]


#: Files hashed per thread-pool task at least (fewer futures for sites of many small files).
HASH_BATCH = 16

#: Pool threads hashing at once: the files are split into this many batches (of HASH_BATCH
#: or more). More threads contend for the GIL with the publish's own thread: 2,000 small
#: files hashed in batches of 16 on the 32 upload threads cost ~0.04 s more CPU per publish.
HASH_THREADS = 2


@dataclass(frozen=True)
class SyncOptions:
    """How a dist folder maps onto a bucket."""

    index_document: str = "index.html"
    max_deletes: int = 256
    force: bool = False
    concurrency: int = 16
    verbose: bool = False


def _hash_batch(files: Sequence[LocalFile]) -> list[frozenset[str]]:
    return [etag.file_etags(f.path, f.size) for f in files]


class Hasher:
    """Hashes files on the pool in batches. ``start`` hashes ahead while the listing is in
    flight; ``etags_of`` (for make_plan) takes those results and hashes only what is left;
    ``keep`` forgets files that changed since; ``cancel`` drops what nobody asked for. With a
    ``cache`` (hashcache), a file it knows as it is now is not hashed, and what is computed is
    recorded in it. ``files`` is what hash_ahead scanned."""

    def __init__(self, pool: Executor, cache: HashCache | None = None) -> None:
        self.pool = pool
        self.cache = cache
        self.files: list[LocalFile] | None = None
        self.ahead: dict[str, tuple[Future[list[frozenset[str]]], int, LocalFile]] = {}
        self.known: dict[str, tuple[LocalFile, frozenset[str]]] = {}  # start's cache hits
        self.since = time.time_ns()  # before any of the files is read

    def _cached(self, lf: LocalFile) -> frozenset[str] | None:
        """The cache's ETags of ``lf``; a file ``start`` looked up is not looked up again."""
        hit = self.known.get(lf.key)
        if hit is not None and hit[0] is lf:
            return hit[1]
        etags = self.cache.get(lf) if self.cache is not None else None
        if etags is not None:
            self.known[lf.key] = (lf, etags)
        return etags

    def _batches(self, files: Sequence[LocalFile]) -> list[Sequence[LocalFile]]:
        size = max(HASH_BATCH, -(-len(files) // HASH_THREADS))
        return [files[i : i + size] for i in range(0, len(files), size)]

    def _submit(self, files: Sequence[LocalFile]) -> list[Future[list[frozenset[str]]]]:
        return [self.pool.submit(_hash_batch, batch) for batch in self._batches(files)]

    def start(self, files: Sequence[LocalFile]) -> None:
        batches = self._batches([f for f in files if self._cached(f) is None])
        for batch in batches:
            future = self.pool.submit(_hash_batch, batch)
            for i, lf in enumerate(batch):
                self.ahead[lf.key] = (future, i, lf)

    def files_of(self, dist: Path, ignore: Ignore | None, *, rescan: bool) -> list[LocalFile]:
        """The folder's files: as ``hash_ahead`` scanned them unless ``rescan`` (something may
        have changed the folder since), else scanned now, keeping only the hashes of files
        still the same."""
        if not rescan and self.files is not None:
            return self.files
        files = scan_dist(dist, ignore)
        self.keep(files)
        return files

    def keep(self, files: Sequence[LocalFile]) -> None:
        """Forget hashes of files that are gone or changed (size or mtime) since ``start``."""
        current = {f.key: f for f in files}
        for key, (_future, _i, lf) in list(self.ahead.items()):
            if current.get(key) != lf:
                del self.ahead[key]

    def etags_of(self, files: Sequence[LocalFile]) -> list[frozenset[str]]:
        known = {f.key: etags for f in files if (etags := self._cached(f)) is not None}
        missing = [f for f in files if f.key not in self.ahead and f.key not in known]
        fresh = iter([etags for fut in self._submit(missing) for etags in fut.result()])
        out = []
        for f in files:
            if f.key in known:
                out.append(known[f.key])
                continue
            if f.key in self.ahead:
                future, i, _lf = self.ahead[f.key]
                etags = future.result()[i]
            else:
                etags = next(fresh)
            if self.cache is not None:
                self.cache.put(f, etags, self.since)
            out.append(etags)
        return out

    def cancel(self) -> None:
        for future, _i, _lf in self.ahead.values():
            future.cancel()
        self.ahead.clear()


def hash_ahead(
    dist: Path,
    pool: Executor,
    ignore: Ignore | None = None,
    rules: HeaderRules | None = None,
    cache: HashCache | None = None,
) -> Hasher:
    """Scan the dist folder and start hashing it on the pool (before the listing is asked
    for), and work out each file's headers meanwhile; plan_sync scans again (unless told the
    folder cannot have changed) and keeps only the hashes of files still the same."""
    hasher = Hasher(pool, cache)
    files = scan_dist(dist, ignore)
    hasher.files = files
    hasher.start(files)
    if rules is not None:
        for lf in files:
            rules.headers_for(lf.key)
    return hasher


@contextlib.contextmanager
def bucket_errors(bucket: str | None) -> Iterator[None]:
    """Turn an S3 error of the listing or the manifest into a one-line HostingError."""
    with aws.translate_errors():
        try:
            yield
        except Exception as exc:
            from botocore.exceptions import ClientError  # once something failed

            if not isinstance(exc, ClientError):
                raise
            err = exc.response.get("Error", {})
            code = str(err.get("Code", ""))
            if code == "NoSuchBucket":
                raise SyncError(
                    f"bucket {bucket} does not exist: deploy the stage first "
                    "(run publish without --skip-backend)"
                ) from exc
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            raise AwsError(
                f"S3 {exc.operation_name} on bucket {bucket} failed ({code or status}: "
                f"{err.get('Message', '')}): check that the bucket policy and your identity "
                "allow s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject"
            ) from exc


def plan_sync(
    s3: S3Client,
    bucket: str | None,
    dist: Path,
    pool: Executor,
    *,
    rules: HeaderRules,
    ignore: Ignore | None = None,
    options: SyncOptions = SyncOptions(),
    listing: Future[dict[str, RemoteObject]] | None = None,
    hashing: Future[Hasher] | None = None,
    rescan: bool = True,
) -> SyncPlan:
    """List the bucket while ``dist`` is scanned and hashed; read the manifest only when its
    ETag in the listing says the header rules changed; then diff.

    ``listing`` is the bucket's listing and ``hashing`` the hashing of ``dist`` (hash_ahead)
    already under way, if the caller started them; ``rescan=False`` plans from the files
    that hashing scanned (nothing can have changed the folder since).
    ``bucket=None`` plans against an empty bucket (a dry run before the stack exists).
    """
    if listing is None and bucket:
        listing = pool.submit(list_remote, s3, bucket)
    hasher = started_hasher(hashing) or Hasher(pool)
    started = not rescan and hasher.files is not None  # what the cache lacks is under way
    local = hasher.files_of(dist, ignore, rescan=rescan)
    if not (started or hasher.ahead) and listing and not listing.done() and not options.force:
        hasher.start(local)  # the listing takes a while: hash meanwhile
    try:
        with bucket_errors(bucket):
            remote = listing.result() if listing else {}
            manifest = manifest_from(s3, bucket, remote, rules.state()) if bucket else None
        return make_plan(
            local,
            remote,
            bucket=bucket or "",
            rules=rules,
            manifest=manifest,
            etags_of=hasher.etags_of,
            index_document=options.index_document,
            max_deletes=options.max_deletes,
            force=options.force,
        )
    finally:
        hasher.cancel()


def started_hasher(hashing: Future[Hasher] | None) -> Hasher | None:
    """The hasher started ahead, unless it failed (the scan here then says why)."""
    if hashing is None:
        return None
    try:
        return hashing.result()
    except HostingError:
        return None


def sync_dist(
    s3: S3Client,
    bucket: str,
    dist: Path,
    *,
    rules: HeaderRules | None = None,
    ignore: Ignore | None = None,
    options: SyncOptions = SyncOptions(),
    on_file: OnFile | None = None,
    dry_run: bool = False,
) -> tuple[SyncPlan, SyncResult | None]:
    """Plan and (unless ``dry_run``) execute a sync on one thread pool."""
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        plan = plan_sync(
            s3, bucket, dist, pool, rules=rules or HeaderRules(), ignore=ignore, options=options
        )
        if dry_run:
            return plan, None
        return plan, run_plan(plan, s3, pool, on_file=on_file)


#: Execute a plan, telling ``on_file`` of each finished file and asking ``guard`` before each
#: phase whether to stop (an empty plan with its record up to date sends nothing).
run_plan = execute

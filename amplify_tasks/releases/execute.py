"""Carrying out a ReleasePlan in the safe order: the transfers (pool writes, uploads, copies)
at once on the thread pools, the stage lock checked first, then the manifest, the keys of
the release's set the store lacks, and last the move of ``live`` (a compare and swap), in
the same chain of writes. Until that write nothing of the new release is live; after it all
of it is.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks.sync import FileDone, Guard, OnFile
from amplify_tasks.sync.execute import apply_change, describe_error
from amplify_tasks.sync.plan import ASSETS, Change

from .layout import LIVE_KEY, manifest_key
from .manifest import FileEntry, ReleaseManifest
from .plan import ReleasePlan, Transfer
from .state import read_key
from .store import move_pointer

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client


@dataclass
class ReleaseResult:
    """What a release run did."""

    uploaded: list[str] = field(default_factory=list)
    pool_written: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    bytes_sent: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    not_attempted: int = 0
    stopped: str = ""
    manifest_written: bool = False
    live: bool = False
    error_pages: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.stopped


def _go_on() -> str:
    return ""


def copy_object(s3: S3Client, bucket: str, source: str, key: str, entry: FileEntry) -> str:
    """A server-side copy with ``entry``'s headers; the copy's ETag."""
    done = s3.copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": bucket, "Key": source},
        MetadataDirective="REPLACE",
        ContentType=entry.content_type,
        CacheControl=entry.cache_control,
    )
    return str(done.get("CopyObjectResult", {}).get("ETag", entry.etag)).strip('"')


def _transfer(s3: S3Client, bucket: str, transfer: Transfer) -> tuple[int, str]:
    """Upload or copy one object: (bytes sent, its ETag)."""
    entry = transfer.entry
    if transfer.is_copy:
        return 0, copy_object(s3, bucket, transfer.source, transfer.key, entry)
    change = Change(
        key=transfer.key,
        reason=transfer.reason,
        path=transfer.local,
        size=entry.size,
        content_type=entry.content_type,
        cache_control=entry.cache_control,
        phase=ASSETS,
    )
    return apply_change(s3, bucket, change), entry.etag


def run_transfers(
    plan: ReleasePlan,
    s3: S3Client,
    bucket: str,
    pool: Executor,
    *,
    on_file: OnFile | None = None,
    guard: Guard | None = None,
    copiers: Executor | None = None,
) -> tuple[ReleaseResult, ReleaseManifest]:
    """The plan's transfers, all at once (the copies on ``copiers`` when given: a server-side
    copy sends no bytes, so more of them run at once than uploads): nothing of a release is
    live before the pointer moves, so no order among them matters. The guard is asked
    first. Also the manifest as written: the copies' ETags are the ones S3 gave them."""
    started = time.monotonic()
    guard, on_file = guard or _go_on, on_file or (lambda _done: None)
    result = ReleaseResult()
    etags: dict[str, str] = {}
    transfers = plan.transfers
    result.stopped = guard()
    if result.stopped:
        result.not_attempted = len(transfers)
        return result, plan.manifest

    def runner(t: Transfer) -> Executor:
        return copiers if copiers is not None and t.is_copy else pool

    # the uploads first: the copies' many threads would hold them up
    ordered = sorted(transfers, key=lambda t: t.is_copy)
    futures = [(t, runner(t).submit(_transfer, s3, bucket, t)) for t in ordered]
    for transfer, future in futures:
        _count(transfer, future, result, etags, on_file)
    files = dict(plan.manifest.files)
    for path, tag in etags.items():
        files[path] = dataclasses.replace(files[path], etag=tag)
    result.seconds = time.monotonic() - started
    return result, dataclasses.replace(plan.manifest, files=files)


def _count(
    transfer: Transfer,
    future: Future[tuple[int, str]],
    result: ReleaseResult,
    etags: dict[str, str],
    on_file: OnFile,
) -> None:
    size = transfer.entry.size
    try:
        sent, tag = future.result()
    except Exception as exc:
        message = describe_error(exc)
        result.failures.append((transfer.key, message))
        on_file(FileDone(transfer.reason, transfer.key, size, failed=message))
        return
    if transfer.is_copy:
        result.copied.append(transfer.key)
        etags[transfer.path] = tag
    elif transfer.entry.pool:
        result.pool_written.append(transfer.key)
    else:
        result.uploaded.append(transfer.key)
    result.bytes_sent += sent
    on_file(FileDone(transfer.reason, transfer.key, size, sent=sent))


def write_manifest(s3: S3Client, bucket: str, manifest: ReleaseManifest) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=manifest_key(manifest.id),
        Body=manifest.body(),
        ContentType="application/json",
        CacheControl="no-store",
    )


def make_live(
    plan: ReleasePlan,
    manifest: ReleaseManifest,
    *,
    s3: S3Client,
    bucket: str,
    kvs: Callable[[], CloudFrontKeyValueStoreClient],
    arn: str,
    expected: str | None,
    result: ReleaseResult,
    guard: Guard | None = None,
    pointer: tuple[str, str] | None = None,
    etag: str = "",
    pool: Executor | None = None,
) -> None:
    """The manifest, then the keys of the release's set the store lacks and ``live`` in one
    chain of writes, ``live`` in the last (only while it holds ``expected``, the value the
    plan was made against, read after the store's ``etag`` when that is given); the guard
    is asked before each. ``pointer`` (key, value) moves another key instead, such as a
    preview's. A set the store is taken to hold has its seal read while the manifest is
    written (on ``pool``), and is written whole when the seal is missing."""
    key, value = pointer or (LIVE_KEY, plan.pointer.value())
    guard = guard or _go_on
    result.stopped = guard()
    if result.stopped:
        return
    read = functools.partial(read_key, kvs(), arn)
    sealed = pool.submit(plan.keys.confirmed, read) if pool is not None else None
    write_manifest(s3, bucket, manifest)
    result.manifest_written = True
    puts = sealed.result() if sealed is not None else plan.keys.confirmed(read)
    result.stopped = guard()
    if result.stopped:
        return
    move_pointer(
        kvs(),
        arn,
        key,
        value,
        expected,
        what=f"release {plan.release_id} is uploaded but "
        + ("not live" if key == LIVE_KEY else f"{key} was not moved to it")
        + "; publish again",
        puts=puts,
        etag=etag,
    )
    result.live = True

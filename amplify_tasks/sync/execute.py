"""Carries out a SyncPlan: the header record first when the rules changed, uploads phase by
phase on a thread pool (streamed, multipart above the threshold), header fixes as server-side
copies, then deletes, then the header record brought up to date.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from . import etag
from .listing import MANIFEST_KEY
from .manifest import Manifest, write_manifest
from .plan import STALE, Change, SyncPlan

#: Files up to this size are read whole (one read, Content-MD5); larger ones are streamed.
SMALL_FILE = 1024 * 1024


#: Keys per DeleteObjects request (the S3 maximum).
DELETE_BATCH = 1000


@dataclass
class SyncResult:
    """What a sync did."""

    uploaded: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    bytes_sent: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    not_attempted: int = 0
    deletes_blocked: int = 0
    manifest_written: bool = False
    stopped: str = ""  # why the sync stopped before the end (the guard said so)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.stopped

    @property
    def changed_keys(self) -> list[str]:
        """Keys whose bytes or headers changed (what a CDN must forget)."""
        return self.uploaded + self.copied


@dataclass(frozen=True)
class FileDone:
    """One file of a plan is done: uploaded, copied, deleted, or failed (``failed`` says why)."""

    reason: str  # new, changed, forced, headers, stale
    key: str
    size: int
    sent: int = 0
    failed: str = ""


#: The sync's progress callback: called once per finished file, from the executing thread.
OnFile = Callable[[FileDone], None]


#: Asked before each phase and before the deletes: a reason to stop there, or "" to go on.
Guard = Callable[[], str]


def _go_on() -> str:
    return ""


def _ignore(_done: FileDone) -> None:
    """The callback of a sync nobody watches."""


def describe_error(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        code = err.get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{code}: {err.get('Message') or exc}"
    return f"{type(exc).__name__}: {exc}"


def _put_small(s3: Any, bucket: str, change: Change) -> None:
    with open(change.path, "rb") as fh:
        body = fh.read()
    s3.put_object(
        Bucket=bucket,
        Key=change.key,
        Body=body,
        ContentMD5=etag.md5_b64(body),
        ContentType=change.content_type,
        CacheControl=change.cache_control,
    )


def _put_streamed(s3: Any, bucket: str, change: Change) -> None:
    with open(change.path, "rb") as fh:
        s3.put_object(
            Bucket=bucket,
            Key=change.key,
            Body=fh,
            ContentLength=change.size,
            ContentType=change.content_type,
            CacheControl=change.cache_control,
        )


def _put_multipart(s3: Any, bucket: str, change: Change) -> None:
    """Parts of exactly ``etag.PART_SIZE``, so the object's ETag is the one we compute."""
    upload_id = s3.create_multipart_upload(
        Bucket=bucket,
        Key=change.key,
        ContentType=change.content_type,
        CacheControl=change.cache_control,
    )["UploadId"]
    try:
        parts = []
        with open(change.path, "rb") as fh:
            number = 1
            while chunk := fh.read(etag.PART_SIZE):
                resp = s3.upload_part(
                    Bucket=bucket,
                    Key=change.key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=chunk,
                    ContentMD5=etag.md5_b64(chunk),
                )
                parts.append({"PartNumber": number, "ETag": resp["ETag"]})
                number += 1
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key=change.key,
            UploadId=upload_id,
            MultipartUpload={"Parts": parts},
        )
    except BaseException:
        with contextlib.suppress(Exception):  # the original error is the one to report
            s3.abort_multipart_upload(Bucket=bucket, Key=change.key, UploadId=upload_id)
        raise


def _copy_headers(s3: Any, bucket: str, change: Change) -> None:
    s3.copy_object(
        Bucket=bucket,
        Key=change.key,
        CopySource={"Bucket": bucket, "Key": change.key},
        MetadataDirective="REPLACE",
        ContentType=change.content_type,
        CacheControl=change.cache_control,
    )


def apply_change(s3: Any, bucket: str, change: Change) -> int:
    """Upload or copy one file; returns the bytes sent."""
    if change.is_copy:
        _copy_headers(s3, bucket, change)
        return 0
    if etag.is_multipart(change.size):
        _put_multipart(s3, bucket, change)
    elif change.size <= SMALL_FILE:
        _put_small(s3, bucket, change)
    else:
        _put_streamed(s3, bucket, change)
    return change.size


def _delete_batch(s3: Any, bucket: str, keys: Sequence[str]) -> list[tuple[str, str]]:
    resp = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True}
    )
    return [
        (str(e.get("Key")), f"{e.get('Code')}: {e.get('Message')}") for e in resp.get("Errors", [])
    ]


def execute(
    plan: SyncPlan,
    s3: Any,
    pool: Executor,
    *,
    on_file: OnFile | None = None,
    guard: Guard | None = None,
) -> SyncResult:
    """Run the plan. The header record goes first when the changes use other rules; a
    failure in a phase stops the later phases; deletes only follow a run where every upload
    and copy succeeded; the record is then brought up to date (after a failure too), unless
    ``guard`` stopped the sync."""
    started = time.monotonic()
    on_file = on_file or _ignore
    guard = guard or _go_on
    result = SyncResult(unchanged=plan.unchanged)
    recorded = plan.recorded_etag
    if plan.record_first:
        if not _write_record(s3, plan.bucket, plan.record, result):
            result.not_attempted = len(plan.changes)
            result.seconds = time.monotonic() - started
            return result
        recorded = plan.record.etag
    phases = plan.phases()
    for index, (_phase, changes) in enumerate(phases):
        result.stopped = guard()
        if result.stopped:
            result.not_attempted = sum(len(rest) for _, rest in phases[index:])
            break
        _run_phase(plan, changes, s3, pool, result, on_file)
        if result.failures:
            result.not_attempted = sum(len(rest) for _, rest in phases[index + 1 :])
            break
    if result.ok and plan.deletes:
        if plan.deletes_blocked:
            result.deletes_blocked = len(plan.deletes)
        elif not (stopped := guard()):
            _delete(plan, s3, pool, result, on_file)
        else:
            result.stopped = stopped
    done = {*result.uploaded, *result.copied, *result.deleted}
    final = plan.record.without(done)
    if not result.stopped and final.etag != recorded:
        _write_record(s3, plan.bucket, final, result)
    result.seconds = time.monotonic() - started
    return result


def _run_phase(
    plan: SyncPlan,
    changes: Sequence[Change],
    s3: Any,
    pool: Executor,
    result: SyncResult,
    on_file: OnFile,
) -> None:
    futures = [(c, pool.submit(apply_change, s3, plan.bucket, c)) for c in changes]
    for change, future in futures:
        try:
            sent = future.result()
        except Exception as exc:
            message = describe_error(exc)
            result.failures.append((change.key, message))
            on_file(FileDone(change.reason, change.key, change.size, failed=message))
            continue
        result.bytes_sent += sent
        (result.copied if change.is_copy else result.uploaded).append(change.key)
        on_file(FileDone(change.reason, change.key, change.size, sent=sent))


def _write_record(s3: Any, bucket: str, record: Manifest, result: SyncResult) -> bool:
    """Write the header record; a failure is recorded in ``result``."""
    try:
        write_manifest(s3, bucket, record)
    except Exception as exc:
        result.failures.append((MANIFEST_KEY, describe_error(exc)))
        return False
    result.manifest_written = True
    return True


def _delete(plan: SyncPlan, s3: Any, pool: Executor, result: SyncResult, on_file: OnFile) -> None:
    keys = list(plan.deletes)
    batches = [keys[i : i + DELETE_BATCH] for i in range(0, len(keys), DELETE_BATCH)]
    futures = [(b, pool.submit(_delete_batch, s3, plan.bucket, b)) for b in batches]
    for batch, future in futures:
        try:
            errors = future.result()
        except Exception as exc:
            errors = [(k, describe_error(exc)) for k in batch]
        failed = {k for k, _ in errors}
        result.failures.extend(errors)
        for key in batch:
            if key not in failed:
                result.deleted.append(key)
            on_file(FileDone(STALE, key, 0))

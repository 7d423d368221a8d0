"""Carries out a SyncPlan: the header record first when the rules changed, uploads phase by
phase on a thread pool (streamed, multipart above the threshold), header fixes as server-side
copies, then deletes, then the header record brought up to date.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .listing import MANIFEST_KEY
from .manifest import Manifest, write_manifest
from .objects import copy_key, upload_file
from .plan import STALE, Change, SyncPlan

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

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


@dataclass(frozen=True, slots=True)
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


def apply_change(s3: S3Client, bucket: str, change: Change) -> int:
    """Upload or copy one file of a plan (objects.upload_file, objects.copy_key); returns
    the bytes sent."""
    headers = {"content_type": change.content_type, "cache_control": change.cache_control}
    if change.is_copy:
        copy_key(s3, bucket, change.key, change.key, **headers)
        return 0
    return upload_file(s3, bucket, change.key, change.path, size=change.size, **headers)


def _delete_batch(s3: S3Client, bucket: str, keys: Sequence[str]) -> list[tuple[str, str]]:
    resp = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True}
    )
    return [
        (str(e.get("Key")), f"{e.get('Code')}: {e.get('Message')}") for e in resp.get("Errors", [])
    ]


class SyncInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sync: ``result`` holds what was done before it (an upload already
    under way was let finish; what had not started was not sent)."""

    def __init__(self, result: SyncResult) -> None:
        super().__init__()
        self.result = result


ChangeFutures = deque[tuple[Change, "Future[int]"]]
DeleteFutures = deque[tuple[list[str], "Future[list[tuple[str, str]]]"]]


def execute(
    plan: SyncPlan,
    s3: S3Client,
    pool: Executor,
    *,
    on_file: OnFile | None = None,
    guard: Guard | None = None,
) -> SyncResult:
    """Run the plan. The header record goes first when the changes use other rules; a
    failure in a phase stops the later phases; deletes only follow a run where every upload
    and copy succeeded; the record is then brought up to date (after a failure too), unless
    ``guard`` stopped the sync. Ctrl-C raises SyncInterrupted (the record written first
    stays true, so nothing more is written)."""
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
    changes: ChangeFutures = deque()
    deletes: DeleteFutures = deque()
    try:
        _run(plan, s3, pool, result, on_file, guard, changes, deletes)
    except KeyboardInterrupt:
        _settle(plan, changes, deletes, result, on_file)
        result.seconds = time.monotonic() - started
        raise SyncInterrupted(result) from None
    done = {*result.uploaded, *result.copied, *result.deleted}
    final = plan.record.without(done)
    if not result.stopped and final.etag != recorded:
        _write_record(s3, plan.bucket, final, result)
    result.seconds = time.monotonic() - started
    return result


def _run(
    plan: SyncPlan,
    s3: S3Client,
    pool: Executor,
    result: SyncResult,
    on_file: OnFile,
    guard: Guard,
    changes: ChangeFutures,
    deletes: DeleteFutures,
) -> None:
    phases = plan.phases()
    for index, (_phase, phase_changes) in enumerate(phases):
        result.stopped = guard()
        if result.stopped:
            result.not_attempted = sum(len(rest) for _, rest in phases[index:])
            return
        changes.extend((c, pool.submit(apply_change, s3, plan.bucket, c)) for c in phase_changes)
        while changes:
            _count_change(*changes[0], result, on_file)
            changes.popleft()
        if result.failures:
            result.not_attempted = sum(len(rest) for _, rest in phases[index + 1 :])
            return
    if not (result.ok and plan.deletes):
        return
    if plan.deletes_blocked:
        result.deletes_blocked = len(plan.deletes)
        return
    result.stopped = guard()
    if result.stopped:
        return
    keys = list(plan.deletes)
    batches = [keys[i : i + DELETE_BATCH] for i in range(0, len(keys), DELETE_BATCH)]
    deletes.extend((b, pool.submit(_delete_batch, s3, plan.bucket, b)) for b in batches)
    while deletes:
        _count_deletes(*deletes[0], result, on_file, plan.delete_sizes)
        deletes.popleft()


def _write_record(s3: S3Client, bucket: str, record: Manifest, result: SyncResult) -> bool:
    """Write the header record; a failure is recorded in ``result``."""
    try:
        write_manifest(s3, bucket, record)
    except Exception as exc:
        result.failures.append((MANIFEST_KEY, describe_error(exc)))
        return False
    result.manifest_written = True
    return True


def _count_change(change: Change, future: Future[int], result: SyncResult, on_file: OnFile) -> None:
    """Wait for one upload or copy and count it as done or failed."""
    try:
        sent = future.result()
    except Exception as exc:
        message = describe_error(exc)
        result.failures.append((change.key, message))
        on_file(FileDone(change.reason, change.key, change.size, failed=message))
        return
    (result.copied if change.is_copy else result.uploaded).append(change.key)
    result.bytes_sent += sent
    on_file(FileDone(change.reason, change.key, change.size, sent=sent))


def _count_deletes(
    batch: list[str],
    future: Future[list[tuple[str, str]]],
    result: SyncResult,
    on_file: OnFile,
    sizes: Mapping[str, int],
    counted: frozenset[str] = frozenset(),
) -> None:
    """Wait for one DeleteObjects batch and count its keys (but ``counted``) as deleted or
    failed; ``sizes`` are the keys' sizes in the listing."""
    try:
        errors = future.result()
    except Exception as exc:
        errors = [(k, describe_error(exc)) for k in batch]
    keys = [k for k in batch if k not in counted]
    failed = {k for k, _ in errors}
    deleted = [k for k in keys if k not in failed]
    result.deleted.extend(deleted)
    result.failures.extend(e for e in errors if e[0] not in counted)
    for key in keys:
        on_file(FileDone(STALE, key, sizes.get(key, 0)))


def _settle(
    plan: SyncPlan,
    changes: ChangeFutures,
    deletes: DeleteFutures,
    result: SyncResult,
    on_file: OnFile,
) -> None:
    """After Ctrl-C: drop the requests not started, let the ones under way finish (a second
    Ctrl-C stops waiting), and count those that are done, each once (Ctrl-C may have come
    while one was being counted)."""
    uploads, batches = [f for _, f in changes], [f for _, f in deletes]
    for upload in uploads:
        upload.cancel()
    for deleting in batches:
        deleting.cancel()
    with contextlib.suppress(KeyboardInterrupt):
        wait(uploads)
        wait(batches)
    counted = frozenset(
        [*result.uploaded, *result.copied, *result.deleted, *(k for k, _ in result.failures)]
    )
    for change, future in changes:
        if change.key not in counted and future.done() and not future.cancelled():
            _count_change(change, future, result, on_file)
    for batch, deleting in deletes:
        if deleting.done() and not deleting.cancelled():
            _count_deletes(batch, deleting, result, on_file, plan.delete_sizes, counted)

"""What a publish reads while its stack is checked and deployed, all started at once: the
stack as described and its deployed template, the stage's lock, then on an in-place stage
the bucket's listing, on a release stage the manifests and the store's peek (and, on the
loopback emulator, the preview URL the summary prints).

The listing and the reads stay good for the sync whenever the deploy keeps the stack's
bucket and store; a deploy that creates the stack drops them (Publisher.deploy).
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from .clients import Clients
from .locking import LockKeeper

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import StackTypeDef
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.releases.prepare import StageReads
    from amplify_tasks.settings import Settings
    from amplify_tasks.sync import RemoteObject

    #: A bucket's objects by key, as the listing found them.
    Listing = dict[str, RemoteObject]


T = TypeVar("T")


@dataclass(frozen=True)
class Prefetch:
    """The reads under way: ``listed`` is (the bucket, its listing: empty on a release
    stage, which lists no tree); ``template`` the deployed template (None: no stack);
    ``reads`` a release stage's (None on an in-place stage or without a bucket)."""

    stack: Future[StackTypeDef | None]
    listed: Future[tuple[str, Listing]]
    template: Future[object] | None = None
    reads: StageReads | None = None


def start_prefetch(
    clients: Clients, settings: Settings, lock: LockKeeper, pool: Executor
) -> Prefetch:
    """Describe the stack (on this thread: its bucket is what the rest needs), take the
    stage's lock in the bucket, then start the rest on ``pool``. A DescribeStacks that
    fails is left for the deploy to report."""
    from amplify_tasks.stack import describe, outputs_of
    from amplify_tasks.stack.plan import deployed_template

    lock.prepare(pool)
    if settings.uses_releases:  # the store's signatures' elliptic curves: loaded meanwhile
        from amplify_tasks.kvswire.signing import preload

        pool.submit(preload)
    cfn, s3 = clients.get("cloudformation"), clients.get("s3")
    try:
        found = describe(cfn, settings.stack_name)
    except Exception as exc:
        return Prefetch(_failed(exc), _failed(exc))
    stack: Future[StackTypeDef | None] = _done(found)
    if not found:
        return Prefetch(stack, _done(("", {})))
    template = pool.submit(deployed_template, cfn, settings.stack_name)  # asked for at once
    outputs = outputs_of(cfn, found)
    lock.hold(outputs.bucket, settings)  # first: no other publish's half-work is read
    if outputs.distribution_id:
        from amplify_tasks.stack import working_url

        pool.submit(working_url, outputs)  # the emulator's preview URL, remembered
    if settings.uses_releases:
        from amplify_tasks.releases.prepare import Stage, start_reads

        def kvs() -> CloudFrontKeyValueStoreClient:  # the one the release step asks for
            return clients.get("cloudfront-keyvaluestore", outputs.region)

        reads = start_reads(Stage(outputs.bucket, outputs.kvs_arn, s3, kvs), pool)
        return Prefetch(stack, _done((outputs.bucket, {})), template, reads)
    return Prefetch(stack, pool.submit(_listing, s3, outputs.bucket, lock), template)


def _done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


def _failed(exc: Exception) -> Future[T]:
    future: Future[T] = Future()
    future.set_exception(exc)
    return future


def _listing(s3: S3Client, bucket: str, lock: LockKeeper) -> tuple[str, Listing]:
    from amplify_tasks.sync import list_remote

    held = lock.held is not None  # the lock is a key of ours: pages go at once
    return bucket, list_remote(s3, bucket, ours_present=held) if bucket else {}

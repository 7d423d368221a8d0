"""Carrying out an in-place sync plan: the uploads with their progress, the site's folders
written to the key value store, the deletes. On a CloudFront stage that a release was live on
(HOSTING_RELEASES=false now) the switch back goes in between: the live pointer goes only once
the root holds the whole site and its facts, the stale root objects only after it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from amplify_tasks import aws

from .options import Out, PublishOptions, progress_tty_override
from .routes import Routes

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.releases.state import StoreState
    from amplify_tasks.settings import Settings
    from amplify_tasks.stack import StackOutputs
    from amplify_tasks.sync import Guard, RemoteObject, SyncPlan, SyncResult

    Listing = dict[str, RemoteObject]


def ignored_releases(settings: Settings) -> list[str]:
    """The note of a stage that asks for releases but has no CloudFront to route them."""
    if not settings.releases or settings.cloudfront:
        return []
    return [
        f"HOSTING_RELEASES=true: ignored, stage {settings.stage} has no CloudFront "
        "(it publishes in place)"
    ]


@dataclass(frozen=True)
class SwitchBack:
    """A stage going back from releases to in place: its store as read, its bucket."""

    store: StoreState
    arn: str
    bucket: str
    kvs: Callable[[], CloudFrontKeyValueStoreClient]

    @classmethod
    def detect(
        cls,
        settings: Settings,
        outputs: StackOutputs | None,
        listing: Future[Listing] | None,
        out: Out,
        options: PublishOptions,
    ) -> SwitchBack | None:
        """The switch, when a CloudFront stage publishing in place has a live release (said
        in one line). The store is read only when the bucket's listing shows releases'
        trees."""
        if settings.uses_releases or not settings.cloudfront or outputs is None:
            return None
        if not outputs.kvs_arn or not outputs.bucket or listing is None:
            return None
        from amplify_tasks.releases import RELEASES_PREFIX
        from amplify_tasks.releases.state import read_store

        try:
            listed = listing.result()
        except Exception:
            return None  # the sync lists again and says why
        if not any(key.startswith(RELEASES_PREFIX) for key in listed):
            return None

        def kvs() -> CloudFrontKeyValueStoreClient:
            return aws.store_client()

        with aws.translate_errors():
            store = read_store(kvs(), outputs.kvs_arn)
        if store.live is None:
            return None
        switch = cls(store, outputs.kvs_arn, outputs.bucket, kvs)
        out(switch.line(settings.stage, dry_run=options.dry_run))
        return switch

    def line(self, stage: str, *, dry_run: bool) -> str:
        live = self.store.live.release if self.store.live else ""
        verb = "would go" if dry_run else "goes"
        return (
            f"HOSTING_RELEASES=false: stage {stage} {verb} back to publishing in place: the "
            f"site is synced to the bucket's root first, then the live pointer (release {live}) "
            "is removed and the stage's releases are deleted"
        )

    def finish(self, s3: S3Client, pool: Executor) -> None:
        """Remove ``live`` (only while it is the release read), then every release."""
        from amplify_tasks.releases.collect import collect
        from amplify_tasks.releases.gc import GcPlan
        from amplify_tasks.releases.keysets import seal_first
        from amplify_tasks.releases.layout import LIVE_KEY, manifest_key
        from amplify_tasks.releases.state import manifest_ids, tree_ids
        from amplify_tasks.releases.store import move_pointer

        with aws.translate_errors():
            move_pointer(
                self.kvs(),
                self.arn,
                LIVE_KEY,
                None,
                self.store.live_value,
                what="the site is published in place, but a release stays live; publish again",
            )
            ids = sorted(
                set(manifest_ids(s3, self.bucket))
                | tree_ids(s3, self.bucket)
                | self.store.release_ids()
            )
            prefixes = [*ids, *sorted(self.store.key_sets())]
            keys = [k for p in prefixes for k in seal_first(self.store.release_keys(p), p)]
            gc = GcPlan(
                releases=tuple(ids),
                store_keys=tuple(keys),
                state=tuple(manifest_key(r) for r in ids),
            )
            collect(gc, s3=s3, bucket=self.bucket, kvs=self.kvs, arn=self.arn, pool=pool)


def without_trees(listing: Future[Listing] | None, pool: Executor) -> Future[Listing] | None:
    """A CloudFront stage's listing without the releases' trees (``_r/`` is not the site's
    there: the function answers 404 for it)."""
    from amplify_tasks.releases import RELEASES_PREFIX

    if listing is None:
        return None
    listed = listing
    return pool.submit(
        lambda: {k: o for k, o in listed.result().items() if not k.startswith(RELEASES_PREFIX)}
    )


def carry_out(
    plan: SyncPlan,
    *,
    s3: S3Client,
    pool: Executor,
    routes: Routes,
    guard: Guard | None,
    switch: SwitchBack | None,
    verbose: bool,
    stream: IO[str],
    publish: Callable[[SyncResult], None],
) -> None:
    """Run ``plan`` (``publish`` is told each result as soon as there is one); on a switch
    back, the deletes wait until the live pointer is gone."""
    from amplify_tasks.sync import SyncInterrupted, run_plan
    from amplify_tasks.ui import Progress

    deletes = dataclasses.replace(plan, changes=()) if switch and plan.deletes else None
    if deletes is not None:
        plan = dataclasses.replace(plan, deletes=())
    progress = Progress.for_plan(plan, verbose=verbose, stream=stream, tty=progress_tty_override())
    try:
        result = run_plan(plan, s3, pool, on_file=progress.file_done, guard=guard)
    except SyncInterrupted as stopped:
        publish(stopped.result)
        raise
    finally:
        progress.close()
    publish(result)
    routes.write(result, s3)
    if switch is None or not result.ok:
        return
    switch.finish(s3, pool)
    if deletes is not None:
        later = run_plan(deletes, s3, pool, guard=guard)
        result.deleted += later.deleted
        result.failures += later.failures
        result.deletes_blocked = later.deletes_blocked
        result.stopped = later.stopped

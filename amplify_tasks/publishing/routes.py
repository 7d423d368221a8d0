"""The routing step of a publish on a CloudFront stage: the site's folders, known from the
sync's plan before any upload, written to the distribution's key value store after a
complete sync (a dry run prints what it would write).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from amplify_tasks.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.routing import PathFacts
    from amplify_tasks.stack import StackOutputs
    from amplify_tasks.sync import RemoteObject, SyncPlan, SyncResult


class Routes:
    """The facts of one publish: planned with the sync, written after it."""

    def __init__(
        self,
        settings: Settings,
        listing: Future[dict[str, RemoteObject]] | None,
        *,
        dry_run: bool,
    ) -> None:
        self.settings = settings
        self.listing = listing  # the bucket's listing the sync plans from
        self.dry_run = dry_run
        self.facts: PathFacts | None = None

    def _listed(self) -> dict[str, RemoteObject]:
        return self.listing.result() if self.listing else {}

    def plan(self, plan: SyncPlan) -> None:
        """The folders of the bucket once ``plan`` is carried out; SyncError when they would
        not fit in the store (no upload has started)."""
        from amplify_tasks.routing import plan_facts

        if self.settings.cloudfront:
            self.facts = plan_facts(plan, self._listed(), self.settings.index_document)

    def write(
        self,
        outputs: StackOutputs | None,
        result: SyncResult | None,
        *,
        kvs: Callable[[], CloudFrontKeyValueStoreClient],
        s3: S3Client,
    ) -> list[str]:
        """Write the facts (after a complete sync, or as a dry run); the lines to print."""
        from amplify_tasks.routing import write_facts

        if self.facts is None or not (self.dry_run or (result is not None and result.ok)):
            return []
        return write_facts(
            self.facts,
            arn=outputs.kvs_arn if outputs is not None else "",
            listing=self._listed(),
            kvs=kvs,
            s3=s3,
            bucket=outputs.bucket if outputs is not None else "",
            dry_run=self.dry_run,
        ).lines

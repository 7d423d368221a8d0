"""The routing part of a publish on a CloudFront stage: the site's folders, known from the
sync's plan before any upload (a dry run prints what it would write), written to the
distribution's key value store after a complete sync.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.settings import Settings

from .options import Out, PublishOptions

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.routing import PathFacts
    from amplify_tasks.stack import StackOutputs
    from amplify_tasks.sync import RemoteObject, SyncPlan, SyncResult


class Routes:
    """The facts of one publish: planned with the sync, written after it."""

    def __init__(
        self,
        settings: Settings,
        options: PublishOptions,
        outputs: StackOutputs | None,
        listing: Future[dict[str, RemoteObject]] | None,
        out: Out,
    ) -> None:
        self.settings = settings
        self.dry_run = options.dry_run
        self.outputs = outputs
        self.listing = listing  # the bucket's listing the sync plans from
        self.out = out
        self.facts: PathFacts | None = None

    def _listed(self) -> dict[str, RemoteObject]:
        return self.listing.result() if self.listing else {}

    def plan(self, plan: SyncPlan, s3: S3Client) -> None:
        """The folders of the bucket once ``plan`` is carried out; SyncError when they would
        not fit in the store (no upload has started). A dry run prints what it would write."""
        from amplify_tasks.routing import plan_facts

        if self.settings.cloudfront:
            self.facts = plan_facts(plan, self._listed(), self.settings.index_document)
            if self.dry_run:
                self._write(s3)

    def write(self, result: SyncResult | None, s3: S3Client) -> None:
        """Write the facts after a complete sync."""
        if self.facts is not None and result is not None and result.ok and not self.dry_run:
            self._write(s3)

    def _write(self, s3: S3Client) -> None:
        from amplify_tasks.routing import write_facts

        assert self.facts is not None
        outputs = self.outputs
        done = write_facts(
            self.facts,
            arn=outputs.kvs_arn if outputs is not None else "",
            listing=self._listed(),
            kvs=lambda: aws.client("cloudfront-keyvaluestore"),
            s3=s3,
            bucket=outputs.bucket if outputs is not None else "",
            dry_run=self.dry_run,
        )
        for line in done.lines:
            self.out(line)

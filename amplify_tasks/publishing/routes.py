"""The routing part of a publish: on a CloudFront stage the site's folders, known from the
sync's plan before any upload (a dry run prints what it would write), written to the
distribution's key value store after a complete sync; on a DEV stage (given the project)
the `_redirects` of the dist folder, checked before any upload and applied to the bucket
website after a complete sync (redirect objects, routing rules, one warning per kind of
rule the S3 website cannot do); on a release stage the dist folder's rules, compiled for
the release.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.project import Project
from amplify_tasks.settings import Settings, check_dist_dir

from .options import Out, PublishOptions

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.releases.plan import Hashed
    from amplify_tasks.routing import CompiledRules, PathFacts
    from amplify_tasks.routing.website import WebsiteRules
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
        *,
        project: Project | None = None,
    ) -> None:
        self.project = project  # without it, a DEV stage's `_redirects` is not read
        self.website: WebsiteRules | None = None
        self._redirect_keys: set[str] = set()  # the redirect objects sync_listing left out
        self._recorded: dict[str, str] | None = None  # their record, as sync_listing read it
        self._record_listed = False  # whether the listing showed that record
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
            self._unapplied()
            if self.dry_run:
                self._write(s3)
        elif self.project is not None:
            self.website = self._website_rules(plan)
            if self.dry_run:
                self._write_website(s3)

    def write(self, result: SyncResult | None, s3: S3Client) -> None:
        """Write the facts (or the website's rules) after a complete sync."""
        if result is None or not result.ok or self.dry_run:
            return
        if self.facts is not None:
            self._write(s3)
        if self.website is not None:
            self._write_website(s3)

    def sync_listing(
        self, s3: S3Client, pool: Executor | None = None
    ) -> Future[dict[str, RemoteObject]] | None:
        """The listing the sync plans from: on a DEV stage, without the redirect objects
        the last publish made (they are not files: the sync leaves them alone). Given
        ``pool``, that is worked out there, so the caller scans the dist folder meanwhile."""
        if self.settings.cloudfront or self.project is None or self.listing is None:
            return self.listing
        if pool is not None:
            return pool.submit(self._translated_listing, s3)
        done: Future[dict[str, RemoteObject]] = Future()
        done.set_result(self._site_listing(s3))
        return done

    def _translated_listing(self, s3: S3Client) -> dict[str, RemoteObject]:
        with aws.translate_errors():
            return self._site_listing(s3)

    def _site_listing(self, s3: S3Client) -> dict[str, RemoteObject]:
        from amplify_tasks.routing.website_publish import (
            REDIRECTS_STATE_KEY,
            recorded_redirects,
            without_redirect_objects,
        )

        bucket = self.outputs.bucket if self.outputs is not None else ""
        listed = self._listed()
        # the record shows in the listing: a site that never had a redirect reads nothing more
        listed_record = bool(bucket) and REDIRECTS_STATE_KEY in listed
        recorded = recorded_redirects(s3, bucket) if listed_record else {}
        self._recorded = recorded
        self._record_listed = listed_record
        self._redirect_keys = set(recorded)
        return without_redirect_objects(listed, recorded)

    def _unapplied(self) -> None:
        """A CloudFront stage publishing in place applies no `_redirects` or `_headers`:
        one warning when the dist folder has some (a bad line still stops the publish)."""
        from amplify_tasks.routing import RoutingFiles, read_rules

        if self.project is None:
            return
        files = RoutingFiles.from_config(self.project.config)
        site = read_rules(check_dist_dir(self.project, self.settings), files)
        if site.redirects or site.headers:
            self.out(
                f"{files.redirects}/{files.headers}: not applied on stage {self.settings.stage}"
                ": it publishes in place; a stage publishing releases (HOSTING_RELEASES=true) "
                "applies them"
            )

    def _website_rules(self, plan: SyncPlan) -> WebsiteRules:
        from amplify_tasks.routing import RoutingFiles, keys_after, read_rules
        from amplify_tasks.routing.website import website_rules

        assert self.project is not None
        files = RoutingFiles.from_config(self.project.config)
        site = read_rules(check_dist_dir(self.project, self.settings), files)
        return website_rules(
            site,
            keys_after(plan, self._listed()) - self._redirect_keys,
            index_document=self.settings.index_document,
            clean_urls=self.settings.clean_urls,
        )

    def _write_website(self, s3: S3Client) -> None:
        from amplify_tasks.routing.website_publish import apply_website

        assert self.website is not None
        bucket = self.outputs.bucket if self.outputs is not None else ""
        if bucket and self._recorded is not None and not self._record_listed and self._idle():
            for line in self.website.warnings:  # no rule now, none before: no request
                self.out(line)
            return
        if not bucket:
            self.out(f"website redirects: would apply {len(self.website.objects)} object(s)")
            return
        with aws.translate_errors():
            done = apply_website(
                s3, bucket, self.website, dry_run=self.dry_run, recorded=self._recorded
            )
        for line in done.lines:
            self.out(line)

    def _idle(self) -> bool:
        return self.website is not None and not (self.website.objects or self.website.routing_rules)

    def _write(self, s3: S3Client) -> None:
        from amplify_tasks.routing import write_facts

        assert self.facts is not None
        outputs = self.outputs
        done = write_facts(
            self.facts,
            arn=outputs.kvs_arn if outputs is not None else "",
            listing=self._listed(),
            kvs=lambda: aws.store_client(),
            s3=s3,
            bucket=outputs.bucket if outputs is not None else "",
            dry_run=self.dry_run,
        )
        for line in done.lines:
            self.out(line)


def release_rules(
    project: Project, settings: Settings, dist: Path, files: Sequence[Hashed]
) -> CompiledRules:
    """The dist folder's `_redirects` and `_headers` compiled for the release (and clean
    URLs); RulesError, before anything is written, for a bad line or more than the function
    reads."""
    from amplify_tasks.routing import RoutingFiles, read_rules
    from amplify_tasks.routing.rules import check_cloudfront

    names = RoutingFiles.from_config(project.config)
    compiled = read_rules(dist, names).compiled(
        clean_urls=settings.clean_urls, files=["/" + f.file.key for f in files]
    )
    check_cloudfront(compiled, names.names)
    return compiled

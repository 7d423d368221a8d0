"""Publish on a release stage: plan the release against the live one, print it (dry run) or
carry it out in the safe order (transfers, manifest, then the keys of its set the store lacks
and the ``live`` move, or a preview's ``p:NAME``, in one chain of store writes), then copy the
error pages to the root and collect garbage. Nothing is ever half-live.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import DeleteLimitError, ReleaseError, SyncError
from amplify_tasks.project import COPY_FACTOR, Project
from amplify_tasks.settings import Settings
from amplify_tasks.templates import error_page_keys
from amplify_tasks.ui import Progress

from .options import Out, PublishOptions, progress_tty_override
from .preview_step import PreviewRequest, as_preview, preview_info
from .release_lines import gc_lines, plan_lines, refused_as, unfinished_line
from .routes import release_rules
from .summary import PublishSummary

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.releases.collect import GcReads
    from amplify_tasks.releases.gc import GcPlan
    from amplify_tasks.releases.layout import Pointer
    from amplify_tasks.releases.manifest import ReleaseManifest
    from amplify_tasks.releases.prepare import Prepared, Stage, StageReads
    from amplify_tasks.releases.previews import Preview
    from amplify_tasks.releases.state import StoreState
    from amplify_tasks.stack import StackOutputs
    from amplify_tasks.sync import Guard, Hasher, HeaderRules


@dataclass
class ReleaseStep:
    """One publish's release: made from the dist folder, written, made live, collected."""

    project: Project
    settings: Settings
    options: PublishOptions
    outputs: StackOutputs | None
    summary: PublishSummary
    pool: Executor
    s3: S3Client
    out: Out
    stream: IO[str]
    guard: Guard | None = None
    confirm: Callable[[str], bool] | None = None
    kvs: Callable[[], CloudFrontKeyValueStoreClient] | None = None  # the publish's one client
    preview: PreviewRequest | None = None  # publish as this preview: `live` is not touched

    def _kvs(self) -> CloudFrontKeyValueStoreClient:
        return self.kvs() if self.kvs is not None else aws.store_client()

    def _stage(self) -> Stage:
        from amplify_tasks.releases.prepare import Stage

        outputs = self.outputs
        bucket = outputs.bucket if outputs is not None else ""
        arn = outputs.kvs_arn if outputs is not None else ""
        if bucket and not arn and not self.options.dry_run:
            raise ReleaseError(
                f"stage {self.settings.stage} has no key value store to hold its live release: "
                "publish without --skip-backend to deploy it (or set HOSTING_RELEASES=false)"
            )
        return Stage(bucket, arn, self.s3, self._kvs)

    def run(
        self,
        hashing: Future[Hasher] | None,
        rules: HeaderRules,
        ignore: Callable[[str], bool],
        *,
        rescan: bool = True,
        reads: StageReads | None = None,
    ) -> None:
        """Plan the release (``hashing``: the dist folder hashed ahead, if started, and
        scanned again when ``rescan``; ``reads``: the stage's reads, if started ahead), print
        it on a dry run, else carry it out."""
        from amplify_tasks.releases import new_release_id
        from amplify_tasks.releases.origin import origin_of
        from amplify_tasks.releases.prepare import early_heads, hashed_files, prepare
        from amplify_tasks.settings import check_dist_dir
        from amplify_tasks.sync import Hasher, started_hasher

        stage = self._stage()
        origin = self.pool.submit(origin_of, self.project.root)  # a git process: meanwhile
        dist = check_dist_dir(self.project, self.settings)
        hasher = started_hasher(hashing) or Hasher(self.pool)
        heads = early_heads(stage, None if rescan else hasher.files, reads, self.pool)
        with aws.translate_errors():
            files = hashed_files(dist, rules, hasher, ignore, rescan=rescan)
            routing = release_rules(self.project, self.settings, dist, files)
            prepared = prepare(
                stage,
                files,
                self.pool,
                release_id=new_release_id(),
                index_document=self.settings.index_document,
                origin=origin.result(),
                keep=self.settings.keep_releases,
                force=self.options.force,
                routing=routing,
                reads=reads,
                heads=heads,
            )
        self._carry_out(prepared, stage)

    def _carry_out(self, prepared: Prepared, stage: Stage) -> None:
        """Print the plan (dry run) or carry it out (nothing, when nothing changed)."""
        prepared = as_preview(prepared, self.preview)
        plan = prepared.plan
        self.summary.release_plan = plan
        self.summary.release_bucket = stage.bucket
        self.summary.previous_release = plan.previous.release if plan.previous else ""
        if plan.identical and self.preview is not None and plan.previous is not None:
            self.summary.notes.append(
                f"nothing changed against live release {plan.previous.release}: the preview "
                "shows it"
            )
            if not self.options.dry_run:
                self._point_preview(prepared, stage, plan.previous)
            return
        if plan.identical:
            self.summary.notes.append(
                f"nothing changed: release {plan.previous.release if plan.previous else ''} "
                "stays live, no release made"
            )
            return
        if self.options.dry_run:
            for line in plan_lines(plan, verbose=self.options.verbose):
                self.out(line)
            gc = self._gc(prepared, plan.manifest, stage) if stage.bucket else None
            for line in gc_lines(gc, dry_run=True) if gc is not None else ():
                self.out(line)
            return
        if self.preview is None:  # a preview removes nothing from the live site
            self._check_removed(plan.removed, plan.previous.release if plan.previous else "")
        self._execute(prepared, stage)

    def _check_removed(self, removed: tuple[str, ...], live: str) -> None:
        """The delete guard: a release without files the live one has counts them as
        deletes (HOSTING_MAX_DELETES; confirmed unless --yes)."""
        limit = self.settings.max_deletes
        if len(removed) > limit:
            raise DeleteLimitError(
                f"the new release drops {len(removed)} files of live release {live}, over the "
                f"delete limit of stage {self.settings.stage} (HOSTING_MAX_DELETES={limit}); "
                f"nothing was published: set HOSTING_MAX_DELETES={len(removed)} or more in "
                f".env.{self.settings.stage} and publish again"
            )
        if removed and not self.options.yes and self.confirm is not None:
            question = (
                f"the new release drops {len(removed)} files of live release {live}: publish it?"
            )
            if not self.confirm(question):
                raise SyncError(
                    f"not confirmed: nothing was published (live release {live} stays); "
                    "pass --yes to publish without asking"
                )

    def _execute(self, prepared: Prepared, stage: Stage) -> None:
        from amplify_tasks.releases.collect import copy_error_pages
        from amplify_tasks.releases.execute import make_live, run_transfers
        from amplify_tasks.releases.preview_store import held
        from amplify_tasks.releases.previews import preview_key

        plan = prepared.plan
        progress = Progress(
            len(plan.transfers),
            plan.bytes_to_send,
            verbose=self.options.verbose,
            stream=self.stream,
            tty=progress_tty_override(),
        )
        reads = self._gc_reads(prepared, stage, pages=self.preview is None)  # meanwhile
        copiers = ThreadPoolExecutor(self.project.concurrency * COPY_FACTOR)
        try:
            with aws.translate_errors():
                result, manifest = run_transfers(
                    plan,
                    stage.s3,
                    stage.bucket,
                    self.pool,
                    on_file=progress.file_done,
                    guard=self.guard,
                    copiers=copiers,
                )
        finally:
            copiers.shutdown(cancel_futures=True)
            progress.close()
        self.summary.release_result = result
        if not result.ok:
            raise SyncError(unfinished_line(result))
        preview = self._made_preview(plan.pointer)
        key = preview_key(preview.name) if preview else ""
        expected = held(stage, prepared.store, key) if preview else prepared.store.live_value
        with aws.translate_errors(refused_as(plan.release_id)):
            make_live(
                plan,
                manifest,
                s3=stage.s3,
                bucket=stage.bucket,
                kvs=stage.kvs,
                arn=stage.arn,
                expected=expected,
                result=result,
                guard=self.guard,
                pointer=(key, preview.value()) if preview else None,
                etag=prepared.store.etag,
                pool=self.pool,
            )
        if not result.live:
            raise SyncError(unfinished_line(result))
        if preview is not None:
            self._previewed(preview)
            entries = {**prepared.store.entries, key: preview.value()}
            store = dataclasses.replace(prepared.store, entries=entries)
            live = prepared.manifests.get(plan.previous.release) if plan.previous else None
            made = dataclasses.replace(
                prepared, manifests={**prepared.manifests, manifest.id: manifest}
            )
            with aws.translate_errors(refused_as(plan.release_id)):
                self._collect(made, stage, live, store, reads)
            return
        self.summary.release_id = plan.release_id
        with aws.translate_errors(refused_as(plan.release_id, live=True)):
            result.error_pages = copy_error_pages(
                stage.s3, stage.bucket, manifest, error_page_keys(self.settings), reads.pages
            )
            self._collect(prepared, stage, manifest, prepared.store, reads)

    def _made_preview(self, pointer: Pointer) -> Preview | None:
        """The record of the preview this publish makes (None: it makes a release live)."""
        from amplify_tasks.releases.previews import make_preview

        if self.preview is None:
            return None
        return make_preview(
            self.preview.name,
            pointer,
            now=time.time(),
            expires_in=self.preview.expires_in,
            password=self.preview.password,
        )

    def _previewed(self, preview: Preview) -> None:
        self.summary.preview = preview_info(preview, self.summary.site_url, self.settings)

    def _point_preview(self, prepared: Prepared, stage: Stage, pointer: Pointer) -> None:
        """A dist folder identical to the live release: the preview points at that one."""
        from amplify_tasks.releases.preview_store import point_preview

        preview = self._made_preview(pointer)
        assert preview is not None
        with aws.translate_errors():
            point_preview(stage, prepared.store, preview)
        self._previewed(preview)

    def _collect(
        self,
        prepared: Prepared,
        stage: Stage,
        live: ReleaseManifest | None,
        store: StoreState,
        reads: GcReads | None = None,
    ) -> None:
        """Drop the expired previews, then collect what no kept release needs (nothing
        without a sound live release to measure against)."""
        from amplify_tasks.releases.collect import collect
        from amplify_tasks.releases.preview_store import drop_previews, expired_previews

        made = self.preview.name if self.preview else ""  # never the one this run made
        expired = [p for p in expired_previews(store, time.time()) if p.name != made]
        if expired:
            store = drop_previews(stage, store, expired)
            self.summary.notes.append(
                f"expired previews deleted: {', '.join(p.name for p in expired)}"
            )
        if live is not None:
            gc = self._gc(prepared, live, stage, store, reads)
            if not gc.empty:
                done = collect(
                    gc,
                    s3=stage.s3,
                    bucket=stage.bucket,
                    kvs=stage.kvs,
                    arn=stage.arn,
                    pool=self.pool,
                )
                self.summary.release_gc = done
                if done.failures:
                    key, why = done.failures[0]
                    self.summary.notes.append(
                        f"garbage collection left {len(done.failures)} object(s) (first: {key}: "
                        f"{why}): the next publish deletes them"
                    )

    def _gc(
        self,
        prepared: Prepared,
        live: ReleaseManifest,
        stage: Stage,
        store: StoreState | None = None,
        reads: GcReads | None = None,
    ) -> GcPlan:
        """What to collect; releases are collected only against a listed store (no
        pointer to one of them unseen)."""
        from amplify_tasks.releases.gc import plan_gc
        from amplify_tasks.releases.state import listed_store

        reads = reads or self._gc_reads(prepared, stage)
        planned = functools.partial(
            plan_gc,
            live=live,
            manifests=prepared.manifests,
            trees=reads.trees.result(),
            keep=self.settings.keep_releases,
            error_pages=list(error_page_keys(self.settings)),
            root=reads.root.result(),
        )
        read = prepared.store if store is None else store
        gc = planned(store=read)
        if gc.releases and not read.listed:
            ahead = reads.store if read is prepared.store else None  # (no preview dropped)
            listed = ahead.result() if ahead else listed_store(stage.kvs(), stage.arn, read)
            gc = planned(store=listed)
        return gc

    def _gc_reads(self, prepared: Prepared, stage: Stage, *, pages: bool = False) -> GcReads:
        """Start garbage collection's reads (and, with ``pages``, the root ETags of the
        error pages the release may copy there)."""
        from amplify_tasks.releases.collect import start_gc_reads
        from amplify_tasks.releases.gc import history
        from amplify_tasks.releases.state import listed_store

        store = prepared.store
        in_place = bool(store.in_place_keys())
        files = prepared.plan.manifest.files
        copied = [p for p in error_page_keys(self.settings) if p in files and not files[p].pool]
        beyond = len(history(prepared.manifests)) >= max(self.settings.keep_releases, 2)
        ahead = beyond and not store.listed and self.preview is None  # a release goes
        listing = functools.partial(listed_store, stage.kvs(), stage.arn, store) if ahead else None
        return start_gc_reads(
            stage.s3, stage.bucket, in_place, self.pool, copied if pages else (), listing
        )

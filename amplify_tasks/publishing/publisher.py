"""The order of work of `inv publish`: settings, pre-publish hooks (the build), backend
deploy, sync, invalidation, post-publish hooks, summary; each step a method the hook events wrap.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from amplify_tasks import aws
from amplify_tasks.errors import StackError
from amplify_tasks.project import Project
from amplify_tasks.settings import Settings
from amplify_tasks.ui import Progress

from .options import Out, PublishOptions, progress_tty_override, resolve_stage
from .summary import PublishSummary, check_sync, format_plan


class Publisher:
    """One publish run. ``run`` calls the steps in order; each can be called alone."""

    def __init__(
        self,
        project: Project,
        options: PublishOptions,
        *,
        out: Out = print,
        stream: IO[str] | None = None,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        self.project = project
        self.options = options
        self.out = out
        self.stream = stream or sys.stdout
        self.confirm = confirm
        self.started = time.monotonic()
        self.stage = resolve_stage(project, options.stage)
        self.settings: Settings | None = None
        self.outputs: Any = None  # StackOutputs
        self.summary = PublishSummary(stage=self.stage, dry_run=options.dry_run)
        self._s3: Any = None
        self._sessions: dict[str, Any] = {}
        self._pool: Any = None  # one thread pool for the listing, hashing and uploads
        # the stack as described, and (its bucket, the bucket's listing), both on the pool
        self._prefetch: tuple[Future[Mapping[str, Any] | None], Future[tuple[str, Any]]] | None = (
            None
        )
        self._hashing: Future[Any] | None = None  # sync.Hasher, started during the deploy
        self._ignore_spec: Any = None
        self._header_rules: Any = None
        self._lock: Any = None  # lock.StageLock, held from before the deploy to the end

    def run(self) -> PublishSummary:
        """Settings, pre-publish hooks (the build), deploy, sync and invalidation,
        post-publish hooks; the summary is printed also after a failure."""
        from amplify_tasks.hooks import HookContext, around, user_hooks_enabled

        settings = self.load_settings()
        ctx = HookContext(
            task="publish",
            stage=self.stage,
            args=self.options.as_args(),
            settings=settings,
            project=self.project,
        )
        user_hooks = user_hooks_enabled(self.options.no_hooks)
        self._pool = ThreadPoolExecutor(self.project.concurrency)
        try:
            with around(self.project, "publish", ctx, user_hooks=user_hooks):
                with around(self.project, "deploy", ctx, user_hooks=user_hooks):
                    self.prefetch()
                    self.deploy()
                    ctx.outputs = self.outputs
                    self.lock(self.outputs.bucket if self.outputs is not None else "")
                with around(self.project, "sync", ctx, user_hooks=user_hooks):
                    self.sync()
                    self.invalidate()
                    check_sync(self.summary, self.stage)
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self.unlock()
            self.print_summary()
        return self.summary

    # -- steps -----------------------------------------------------------------------------
    def load_settings(self) -> Settings:
        from amplify_tasks.settings import load_settings

        self.settings = load_settings(self.project, self.stage)
        return self.settings

    def prefetch(self) -> None:
        """Start hashing the dist folder; find the deployed stack, take the stage's lock in
        its bucket and start listing the bucket, all while the stack is checked and deployed.

        The listing costs one DescribeStacks more; the deploy leaves the objects alone, so it
        stays good for the sync whenever the deploy keeps the bucket (it keeps its name unless
        HOSTING_BUCKET_NAME changed). A first deploy finds no stack: nothing to list, and the
        lock is taken once the bucket exists. Files that change before the sync (a pre-sync
        hook) are hashed again there.
        """
        from amplify_tasks.sync import hash_ahead

        if not self.options.force:
            dist = self.project.root / self._settings().dist_dir
            self._hashing = self._pool.submit(
                hash_ahead, dist, self._pool, self._ignore(), self._rules()
            )
        if not self.options.skip_backend:
            self._prefetch_listing()

    def _prefetch_listing(self) -> None:
        from amplify_tasks.stack import describe, outputs_of
        from amplify_tasks.sync import list_remote

        cfn, s3 = self._client("cloudformation"), self._client("s3")
        stack: Future[Any] = Future()  # the DescribeStacks the deploy plans from, too
        listed: Future[tuple[str, Any]] = Future()
        self._prefetch = (stack, listed)
        try:
            found = describe(cfn, self._settings().stack_name)
        except Exception as exc:  # the deploy reports it
            stack.set_exception(exc)
            listed.set_exception(exc)
            return
        stack.set_result(found)
        bucket = outputs_of(cfn, found).bucket if found else ""
        self.lock(bucket)  # before the listing: what it lists is no other publish's half-work

        def listing() -> Any:
            return bucket, (list_remote(s3, bucket) if bucket else {})

        self._prefetch = (stack, self._pool.submit(listing))

    def lock(self, bucket: str) -> None:
        """Hold the stage's lock in ``bucket`` (not on a dry run, not before the bucket
        exists); a lock held in another bucket, which the deploy replaced, is given back."""
        if self.options.dry_run or not bucket:
            return
        if self._lock is not None:
            if self._lock.bucket == bucket:
                return
            self.unlock()
        from amplify_tasks.lock import Holder, StageLock

        lock = StageLock(
            self._client("s3"),
            bucket,
            self.stage,
            Holder.here("publish", self.project.root),
            out=self.out,
            timeout=self._settings().lock_timeout,
        )
        with aws.translate_errors():
            lock.acquire()
        self._lock = lock

    def unlock(self) -> None:
        """Give the stage's lock back (after a success, a failure or Ctrl-C)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _listing_of(self, bucket: str | None) -> Future[Any] | None:
        """The bucket's listing, under way: the prefetched one when the sync goes to the
        bucket it listed, else a new one. It does not wait, so the sync scans meanwhile."""
        if self._prefetch is None or not bucket:
            return None
        from amplify_tasks.sync import list_remote

        prefetched = self._prefetch[1]
        s3 = self._client("s3")

        def listing() -> Any:
            try:
                found, objects = prefetched.result()
            except Exception:
                found = ""  # listed again here, where an error is explained
            return objects if found == bucket else list_remote(s3, bucket)

        return self._pool.submit(listing)

    def deploy(self) -> None:
        """Deploy the stack (or, with --skip-backend, read the outputs of the existing one)."""
        from amplify_tasks.stack import deploy_stage

        settings = self._settings()
        with aws.translate_errors():
            if self.options.skip_backend:
                from amplify_tasks.stack import stack_outputs

                try:
                    self.outputs = stack_outputs(
                        self._client("cloudformation"), settings.stack_name, settings.stage
                    )
                except StackError as exc:
                    raise StackError(f"{exc} (publish without --skip-backend)") from exc
            else:
                described = self._prefetch[0].result if self._prefetch else None
                result = deploy_stage(
                    self.project,
                    settings,
                    dry_run=self.options.dry_run,
                    on_event=self.out,
                    cfn=self._client("cloudformation"),
                    described=described,
                )
                self.outputs = result.outputs
                if result.plan.action in ("create", "recreate"):
                    self._prefetch = None  # a new stack: a bucket listed before is not its own
        if self.outputs is not None:
            from amplify_tasks.stack import working_url

            self.summary.site_url = working_url(self.outputs)

    def sync(self) -> None:
        """Plan the sync; print it (dry run) or carry it out, deletes behind a confirmation."""
        from amplify_tasks.sync import SyncOptions, plan_sync, run_plan

        settings = self._settings()
        rules = self._rules()
        options = SyncOptions(
            index_document=settings.index_document,
            max_deletes=settings.max_deletes,
            force=self.options.force,
            concurrency=self.project.concurrency,
            verbose=self.options.verbose,
        )
        bucket = self.outputs.bucket if self.outputs is not None else None
        dist = self.project.root / settings.dist_dir
        pool = self._pool
        with aws.translate_errors():
            plan = plan_sync(
                self._client("s3"),
                bucket,
                dist,
                pool,
                rules=rules,
                ignore=self._ignore(),
                options=options,
                listing=self._listing_of(bucket),
                hashing=self._hashing,
            )
            self.summary.plan = plan
            if self.options.dry_run:
                for line in format_plan(plan):
                    self.out(line)
                return
            if plan.deletes and not plan.deletes_blocked and not self._deletes_confirmed(plan):
                plan = _without_deletes(plan)
                self.summary.notes.append("deletes skipped: not confirmed")
            progress = Progress.for_plan(
                plan, verbose=self.options.verbose, stream=self.stream, tty=progress_tty_override()
            )
            try:
                guard = self._lock.lost if self._lock is not None else None
                self.summary.result = run_plan(
                    plan, self._client("s3"), pool, on_file=progress.file_done, guard=guard
                )
            finally:
                progress.close()

    def invalidate(self) -> None:
        """Invalidate the changed and deleted paths (with -c, on a stage with CloudFront)."""
        from amplify_tasks.cdn import create_invalidation, invalidation_paths, wait_invalidation

        settings = self._settings()
        plan, result = self.summary.plan, self.summary.result
        if plan is None or (result is None and not self.options.dry_run):
            return
        if result is not None:
            keys = [*result.changed_keys, *result.deleted]
        else:
            keys = [c.key for c in plan.changes] + (
                [] if plan.deletes_blocked else list(plan.deletes)
            )
        distribution = self.outputs.distribution_id if self.outputs is not None else ""
        paths = invalidation_paths(keys, index_document=settings.index_document)
        self.summary.invalidation_paths = paths
        if not self.options.invalidate:
            if distribution and paths:
                self.summary.notes.append(
                    f"CloudFront may serve cached copies of {len(paths)} path(s) for up to "
                    f"{settings.default_ttl} s: publish with -c to invalidate them"
                )
            return
        if not distribution and not (self.options.dry_run and settings.cloudfront):
            self.summary.notes.append(
                f"no invalidation: stage {self.stage} has no CloudFront distribution"
            )
            return
        if not paths:
            self.summary.notes.append("no invalidation: nothing changed")
            return
        if self.options.dry_run:
            self.out(f"invalidation paths: {' '.join(paths)}")
            return
        cloudfront = self._client("cloudfront")
        with aws.translate_errors():
            inv_id = create_invalidation(cloudfront, distribution, paths)
            self.summary.invalidation_id = inv_id
            self.out(f"invalidation {inv_id}: {' '.join(paths)}")
            if self.options.wait:
                status = wait_invalidation(cloudfront, distribution, inv_id)
                self.out(f"invalidation {inv_id}: {status}")

    def print_summary(self) -> None:
        """Print the summary (once the sync has a plan)."""
        self.summary.seconds = time.monotonic() - self.started
        if self.summary.plan is not None:
            for line in self.summary.lines():
                self.out(line)

    # -- helpers ---------------------------------------------------------------------------
    def _ignore(self) -> Callable[[str], bool]:
        """The stage's publish ignore rules, as a predicate on keys (read once)."""
        if self._ignore_spec is None:
            from amplify_tasks.sync import load_ignore_spec

            self._ignore_spec = load_ignore_spec(self.project.root, self._settings())
        return self._ignore_spec.match_file

    def _rules(self) -> Any:
        """The header rules from invoke config (one object: it remembers each key's headers)."""
        if self._header_rules is None:
            from amplify_tasks.sync import HeaderRules

            self._header_rules = HeaderRules.from_config(self.project.get("headers"))
        return self._header_rules

    def _settings(self) -> Settings:
        return self.settings if self.settings is not None else self.load_settings()

    def _client(self, service: str) -> Any:
        """Clients share one session per region (its loaded models are reused)."""
        if "" not in self._sessions:
            self._sessions[""] = aws.session()
        region = (self.outputs.region if self.outputs is not None else "") or ""
        if region == aws.session_region(self._sessions[""]):
            region = ""
        if region not in self._sessions:
            self._sessions[region] = aws.session(region)
        sess = self._sessions[region]
        if service != "s3":
            return aws.client(service, sess=sess)
        if self._s3 is None:
            self._s3 = aws.client(
                "s3", max_pool=self.project.concurrency + 4, sess=sess, raw_timestamps=True
            )
        return self._s3

    def _deletes_confirmed(self, plan: Any) -> bool:
        if self.options.yes or self.confirm is None:
            return True
        return self.confirm(
            f"delete {len(plan.deletes)} stale object(s) from bucket {plan.bucket}?"
        )


def _without_deletes(plan: Any) -> Any:
    import dataclasses

    return dataclasses.replace(plan, deletes=())


def publish(project: Project, options: PublishOptions, **io: Any) -> PublishSummary:
    """`inv publish` (``io``: out, stream, confirm as Publisher takes them)."""
    return Publisher(project, options, **io).run()

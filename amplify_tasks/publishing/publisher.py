"""The order of work of `inv publish`: settings, pre-publish hooks (the build), backend
deploy, sync, invalidation, post-publish hooks, summary; each step a method the hook events wrap.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import StackError
from amplify_tasks.project import COPY_FACTOR, Project
from amplify_tasks.settings import Settings, check_dist_dir

from .clients import Clients
from .hashing import AheadHashing
from .in_place import SwitchBack, carry_out, ignored_releases, without_trees
from .invalidation import invalidation_target
from .listing import listing_for
from .locking import LockKeeper
from .options import Out, PublishOptions, resolve_stage
from .preview_step import PreviewRequest, preview_request
from .routes import Routes
from .summary import PublishSummary, check_sync, format_plan

if TYPE_CHECKING:
    from typing import TypedDict

    from typing_extensions import Unpack

    from amplify_tasks.stack import BucketReplacement, StackOutputs
    from amplify_tasks.sync import Hasher, HeaderRules, SyncPlan

    from .prefetch import Prefetch

    class PublishIO(TypedDict, total=False):
        """Where a publish writes and how it asks (Publisher's keyword arguments)."""

        out: Out
        stream: IO[str] | None
        confirm: Callable[[str], bool] | None


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
        self.preview: PreviewRequest | None = None
        self.outputs: StackOutputs | None = None
        self.summary = PublishSummary(stage=self.stage, dry_run=options.dry_run)
        self._clients = Clients(
            lambda: (self.outputs.region if self.outputs is not None else "") or "",
            project.concurrency * COPY_FACTOR + 4,  # a release's copies run the most at once
        )
        self._pool: ThreadPoolExecutor  # made by run: the listing, hashing and uploads share it
        self._prefetch: Prefetch | None = None  # what is read during the deploy
        self._hashing: Future[Hasher] | None = None  # started during the deploy
        self._ahead: AheadHashing | None = None
        self._user_hooks = True
        self._ignore_rule: Callable[[str], bool] | None = None
        self._header_rules: HeaderRules | None = None
        # the stage lock, held from before the deploy to the end (not on a dry run)
        self.lock = LockKeeper(
            lambda: self._clients.get("s3"),
            self.stage,
            project.root,
            out=out,
            enabled=not options.dry_run,
        )

    def run(self) -> PublishSummary:
        """Settings, pre-publish hooks (the build), deploy, sync and invalidation,
        post-publish hooks; the summary is printed also after a failure."""
        from amplify_tasks.hooks import HookContext, around, user_hooks_enabled

        settings = self.load_settings()
        self._rules()  # bad header rules stop the publish before any hook runs
        ctx = HookContext(
            task="publish",
            stage=self.stage,
            args=self.options.as_args(),
            settings=settings,
            project=self.project,
        )
        user_hooks = self._user_hooks = user_hooks_enabled(self.options.no_hooks)
        self._pool = ThreadPoolExecutor(self.project.concurrency)
        try:
            with around(self.project, "publish", ctx, user_hooks=user_hooks):
                self.check_dist()
                with around(self.project, "deploy", ctx, user_hooks=user_hooks):
                    self.prefetch()
                    self.deploy()
                    ctx.outputs = self.outputs
                    self.lock.hold(
                        self.outputs.bucket if self.outputs is not None else "", self._settings()
                    )
                with around(self.project, "sync", ctx, user_hooks=user_hooks):
                    self.sync()
                    ctx.release = self.summary.release_info()
                    ctx.preview = self.summary.preview_hook_info()
                    self.invalidate()
                    check_sync(self.summary, self.stage)
        except KeyboardInterrupt:
            self.summary.interrupted = True
            raise
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            if self._ahead is not None and not self.options.dry_run:
                self._ahead.save()
            self.lock.release()
            self.print_summary()
        return self.summary

    # -- steps -----------------------------------------------------------------------------
    def load_settings(self) -> Settings:
        from amplify_tasks.settings import load_settings

        self.settings = load_settings(self.project, self.stage)
        self.preview = preview_request(self.options, self.settings)
        return self.settings

    def check_dist(self) -> None:
        """The dist folder, as the build left it, holds a file to publish (before the stack
        is deployed)."""
        from .dist import check_dist_folder

        check_dist_folder(self.project, self._settings(), self.options, self._ignore())

    def prefetch(self) -> None:
        """Start hashing the dist folder; find the deployed stack, take the stage's lock in
        its bucket and start listing the bucket (a release stage: reading its manifests and
        store), all while the stack is checked and deployed (see prefetch).

        The listing costs one DescribeStacks more; the deploy leaves the objects alone, so it
        stays good for the sync whenever the deploy keeps the bucket (it keeps its name unless
        HOSTING_BUCKET_NAME changed). A first deploy finds no stack: nothing to list, and the
        lock is taken once the bucket exists. Files that change before the sync (a pre-sync
        hook) are hashed again there.
        """
        if not self.options.force:
            dist = check_dist_dir(self.project, self._settings())
            self._ahead = AheadHashing(
                self.project, dist, self._pool, self._ignore(), self._rules()
            )
            self._hashing = self._ahead.future
        if not self.options.skip_backend:
            from .prefetch import start_prefetch

            self._prefetch = start_prefetch(self._clients, self._settings(), self.lock, self._pool)

    def deploy(self) -> None:
        """Deploy the stack (or, with --skip-backend, read the outputs of the existing one)."""
        from amplify_tasks.stack import deploy_stage

        settings = self._settings()
        with aws.translate_errors():
            if self.options.skip_backend:
                from amplify_tasks.stack import stack_outputs

                try:
                    self.outputs = stack_outputs(
                        self._clients.get("cloudformation"), settings.stack_name, settings.stage
                    )
                except StackError as exc:
                    raise StackError(f"{exc} (publish without --skip-backend)") from exc
            else:
                ahead = self._prefetch
                described = ahead.stack.result if ahead else None
                result = deploy_stage(
                    self.project,
                    settings,
                    dry_run=self.options.dry_run,
                    on_event=self.out,
                    cfn=self._clients.get("cloudformation"),
                    described=described,
                    fetched=ahead.template.result if ahead and ahead.template else None,
                    s3=self._clients.get("s3"),
                    allow_replace=self.options.allow_replace,
                )
                self.outputs = result.outputs
                if result.plan.replacement is not None:
                    self._replaced(result.plan.replacement)
                if result.plan.action in ("create", "recreate"):
                    self._prefetch = None  # a new stack: a bucket listed before is not its own
        if self.outputs is not None:
            from amplify_tasks.stack import working_url

            self.summary.site_url = working_url(self.outputs)

    def _replaced(self, replacement: BucketReplacement) -> None:
        """After a deploy that replaced the bucket, say what stays in the old one; a dry run
        plans the sync against the new bucket, which starts empty."""
        if not self.options.dry_run:
            self.summary.notes.append(replacement.note())
        elif self.outputs is not None:
            self.outputs = dataclasses.replace(self.outputs, bucket="")

    def sync(self) -> None:
        """Plan the sync; print it (dry run) or carry it out, deletes behind a confirmation.
        A release stage makes a release instead (release_step)."""
        from amplify_tasks.sync import SyncOptions, plan_sync

        settings = self._settings()
        if settings.uses_releases:
            return self._release()
        self.summary.notes += ignored_releases(settings)
        rules = self._rules()
        options = SyncOptions(
            index_document=settings.index_document,
            max_deletes=settings.max_deletes,
            force=self.options.force,
            concurrency=self.project.concurrency,
            verbose=self.options.verbose,
        )
        bucket = self.outputs.bucket if self.outputs is not None else None
        dist = check_dist_dir(self.project, settings)  # again: the build may have made it
        pool = self._pool
        prefetched = self._prefetch.listed if self._prefetch else None
        listed = listing_for(bucket, prefetched, pool, self._clients.get("s3"))
        listing = without_trees(listed, pool) if settings.cloudfront else listed
        routes = Routes(
            settings, self.options, self.outputs, listing, self.out, project=self.project
        )
        with aws.translate_errors():
            listing = routes.sync_listing(self._clients.get("s3"), pool)
            plan = plan_sync(
                self._clients.get("s3"),
                bucket,
                dist,
                pool,
                rules=rules,
                ignore=self._ignore(),
                options=options,
                listing=listing,
                hashing=self._hashing,
                rescan=self._rescan(),
            )
            self.summary.plan = plan
            switch = SwitchBack.detect(settings, self.outputs, listed, self.out, self.options)
            if self.options.dry_run:
                for line in format_plan(plan):
                    self.out(line)
                return routes.plan(plan, self._clients.get("s3"))
            if plan.deletes and not plan.deletes_blocked and not self._deletes_confirmed(plan):
                plan = dataclasses.replace(plan, deletes=())
                self.summary.notes.append("deletes skipped: not confirmed")
            routes.plan(plan, self._clients.get("s3"))  # before any upload: the store holds them
            carry_out(
                plan,
                s3=self._clients.get("s3"),
                pool=pool,
                routes=routes,
                guard=self.lock.guard,
                switch=switch,
                verbose=self.options.verbose,
                stream=self.stream,
                publish=lambda result: setattr(self.summary, "result", result),
            )

    def _release(self) -> None:
        from .release_step import ReleaseStep

        step = ReleaseStep(
            self.project,
            self._settings(),
            self.options,
            self.outputs,
            self.summary,
            self._pool,
            self._clients.get("s3"),
            self.out,
            self.stream,
            guard=self.lock.guard,
            confirm=self.confirm,
            kvs=lambda: self._clients.get("cloudfront-keyvaluestore"),
            preview=self.preview,
        )
        reads = self._prefetch.reads if self._prefetch else None
        step.run(self._hashing, self._rules(), self._ignore(), rescan=self._rescan(), reads=reads)

    def invalidate(self) -> None:
        """Invalidate the changed and deleted paths (with -c, on a stage with CloudFront)."""
        from amplify_tasks.cdn import create_invalidation, invalidation_refused, wait_invalidation

        target = invalidation_target(
            self.summary, self._settings(), self.outputs, self.options, self.stage, self.out
        )
        if target is None:
            return
        distribution, paths = target
        if self.options.dry_run:
            self.out(f"invalidation paths: {' '.join(paths)}")
            return
        cloudfront = self._clients.get("cloudfront")
        with aws.translate_errors(lambda exc: invalidation_refused(exc, distribution, paths)):
            inv_id = create_invalidation(cloudfront, distribution, paths)
            self.summary.invalidation_id = inv_id
            self.out(f"invalidation {inv_id}: {' '.join(paths)}")
            if self.options.wait:
                status = wait_invalidation(cloudfront, distribution, inv_id)
                self.out(f"invalidation {inv_id}: {status}")

    def print_summary(self) -> None:
        """Print the summary once the sync has carried out its plan (or only printed it, or
        was stopped by Ctrl-C); a publish that failed before then published nothing."""
        self.summary.seconds = time.monotonic() - self.started
        summary = self.summary
        if summary.reported and (
            summary.result is not None
            or summary.release_plan is not None
            or summary.dry_run
            or summary.interrupted
        ):
            for line in self.summary.lines():
                self.out(line)

    # -- helpers ---------------------------------------------------------------------------
    def _ignore(self) -> Callable[[str], bool]:
        """The stage's publish ignore rules, as a predicate on keys (read once)."""
        if self._ignore_rule is None:
            from amplify_tasks.routing import RoutingFiles
            from amplify_tasks.sync import load_ignore

            files = RoutingFiles.from_config(self.project.config).names
            self._ignore_rule = load_ignore(self.project.root, self._settings(), files)
        return self._ignore_rule

    def _rules(self) -> HeaderRules:
        """The header rules from invoke config (one object: it remembers each key's headers)."""
        if self._header_rules is None:
            from amplify_tasks.sync import HeaderRules

            self._header_rules = HeaderRules.from_config(self.project.get("headers"))
        return self._header_rules

    def _rescan(self) -> bool:
        """Whether the sync scans the dist folder again (a hook may have changed it)."""
        return self._ahead is None or self._ahead.rescan(self._user_hooks)

    def _settings(self) -> Settings:
        return self.settings if self.settings is not None else self.load_settings()

    def _deletes_confirmed(self, plan: SyncPlan) -> bool:
        if self.options.yes or self.confirm is None:
            return True
        return self.confirm(
            f"delete {len(plan.deletes)} stale object(s) from bucket {plan.bucket}?"
        )


def publish(project: Project, options: PublishOptions, **io: Unpack[PublishIO]) -> PublishSummary:
    """`inv publish` (``io``: out, stream, confirm as Publisher takes them)."""
    return Publisher(project, options, **io).run()

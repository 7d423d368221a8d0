"""What the release tasks share: a release stage's bucket and store (a one-line error for a
stage that publishes in place), the question a task asks before it moves ``live`` (or
--yes), and the stage lock held around a change of the store."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..project import Project

if TYPE_CHECKING:
    from invoke import Context
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient

    from amplify_tasks.releases.prepare import Stage
    from amplify_tasks.releases.rollback import Rollback
    from amplify_tasks.settings import Settings
    from amplify_tasks.stack import StackOutputs


@dataclass(frozen=True)
class ReleaseStage:
    """A release stage as the tasks reach it."""

    project: Project
    settings: Settings
    where: Stage
    outputs: StackOutputs


def release_stage(c: Context, stage: str) -> ReleaseStage:
    """The project, the stage's settings, its bucket and store, its outputs; ReleaseError
    for a stage that does not publish releases."""
    from amplify_tasks import aws
    from amplify_tasks.errors import ReleaseError
    from amplify_tasks.publishing import resolve_stage
    from amplify_tasks.releases.prepare import Stage
    from amplify_tasks.settings import load_settings
    from amplify_tasks.stack import stack_outputs

    project = Project.from_context(c)
    settings = load_settings(project, resolve_stage(project, stage))
    name = settings.stage
    if not settings.uses_releases:
        why = "it has no CloudFront" if not settings.cloudfront else "HOSTING_RELEASES=false"
        raise ReleaseError(f"stage {name} does not publish releases ({why}): it publishes in place")
    with aws.translate_errors():
        outputs = stack_outputs(aws.client("cloudformation"), settings.stack_name, name)
        region = outputs.region or None
        s3 = aws.client("s3", region=region)
    if not outputs.kvs_arn:
        raise ReleaseError(
            f"stage {name} has no key value store yet: `inv publish --stage {name}` deploys it"
        )
    return ReleaseStage(
        project,
        settings,
        Stage(outputs.bucket, outputs.kvs_arn, s3, functools.cache(_kvs)),
        outputs,
    )


def _kvs() -> CloudFrontKeyValueStoreClient:
    """The store's client (made once a task: ``release_stage`` caches it)."""
    from amplify_tasks import aws

    return aws.store_client()


def asker(task: str, yes: bool) -> Callable[[str], bool]:
    """The confirmation of a task that moves ``live``: --yes, else a question on a terminal
    (SettingsError without one)."""
    from amplify_tasks.errors import SettingsError

    from ..prompt import Prompter, interactive

    def confirm(question: str) -> bool:
        if yes:
            return True
        if not interactive():
            raise SettingsError(
                f"{task} asks before it moves the live release: answer on a terminal, or pass --yes"
            )
        return Prompter().confirm(question, default=False)

    return confirm


@contextlib.contextmanager
def stage_locked(task: str, stage: ReleaseStage) -> Iterator[None]:
    """Hold the stage's lock (as a publish takes it) for the block; AWS errors translated."""
    from amplify_tasks import aws
    from amplify_tasks.lock import Holder, StageLock

    settings, where = stage.settings, stage.where
    holder = Holder.here(task.removeprefix("hosting."), stage.project.root)
    lock = StageLock(where.s3, where.bucket, settings.stage, holder, timeout=settings.lock_timeout)
    with aws.translate_errors():
        lock.acquire()
    try:
        with aws.translate_errors():
            yield
    finally:
        lock.release()


def switched(done: Rollback | None, stage: str, live: str, *, of: str = "") -> str:
    """The line a task that moved ``live`` (or left it) ends with."""
    if done is None:
        return f"live release of stage {stage} unchanged: {live}"
    pages = f" (error pages copied: {', '.join(done.error_pages)})" if done.error_pages else ""
    return f"release {done.release}{of} is live (was {done.previous or 'none'}){pages}"

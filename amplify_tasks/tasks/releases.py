"""`inv hosting.releases`, `inv hosting.rollback` and `inv hosting.verify`: a release stage's
kept releases, making an earlier one live again, and checking the live one object by object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..project import Project
from ._edge import hosting_task
from ._machine import machine_output

if TYPE_CHECKING:
    from invoke import Context
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient

    from amplify_tasks.releases.prepare import Stage
    from amplify_tasks.settings import Settings


def _stage(c: Context, stage: str) -> tuple[Project, Settings, Stage]:
    """The project, the stage's settings and its bucket and store; ReleaseError for a stage
    that does not publish releases."""
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
    return project, settings, Stage(outputs.bucket, outputs.kvs_arn, s3, _kvs)


def _kvs() -> CloudFrontKeyValueStoreClient:
    from amplify_tasks import aws

    return aws.client("cloudfront-keyvaluestore")


@hosting_task(
    help={
        "stage": "stage whose releases to list (default: hosting.default_stage)",
        "json": "print one JSON document (schemas/releases.schema.json), also on failure",
    }
)
def releases(c: Context, stage: str = "", json: bool = False) -> None:
    """List a stage's kept releases, newest first, the live one marked."""
    from amplify_tasks import aws
    from amplify_tasks.releases.catalog import (
        Catalog,
        catalog_document,
        read_catalog,
        require_releases,
        rows,
    )
    from amplify_tasks.ui import table

    found: list[Catalog] = []

    def body() -> dict[str, object]:
        return catalog_document(found[0]) if found else {"stage": stage}

    with machine_output(body, json_output=json):
        _project, settings, where = _stage(c, stage)
        with aws.translate_errors():
            found.append(read_catalog(where, settings.stage))
        require_releases(found[0])
        if json:
            return
        header = ["release", "created", "files", "size", "commit", ""]
        for line in table([header, *rows(found[0])]):
            print(line.rstrip())


@hosting_task(
    help={
        "stage": "stage to roll back (default: hosting.default_stage)",
        "to": "release id to make live (default: the release before the live one)",
        "yes": "do not ask for confirmation",
        "json": "print one JSON document (schemas/rollback.schema.json), also on failure",
    }
)
def rollback(
    c: Context, stage: str = "", to: str = "", yes: bool = False, json: bool = False
) -> None:
    """Make an earlier release live again: one key value store write, nothing uploaded."""
    document: dict[str, object] = {"stage": stage}
    with machine_output(lambda: document, json_output=json):
        document.update(_roll_back(c, stage, to, yes))


def _roll_back(c: Context, stage: str, to: str, yes: bool) -> dict[str, object]:
    """The rollback and its document's keys: the stage, the live release now and before,
    whether it changed, the error pages copied."""
    from amplify_tasks import aws
    from amplify_tasks.errors import SettingsError
    from amplify_tasks.lock import Holder, StageLock
    from amplify_tasks.releases.catalog import read_catalog
    from amplify_tasks.releases.rollback import roll_back
    from amplify_tasks.templates import error_page_keys

    from ..prompt import Prompter, interactive

    project, settings, where = _stage(c, stage)

    def confirm(question: str) -> bool:
        if yes:
            return True
        if not interactive():
            raise SettingsError(
                "hosting.rollback asks before it moves the live release: answer on a "
                "terminal, or pass --yes"
            )
        return Prompter().confirm(question, default=False)

    holder = Holder.here("rollback", project.root)
    lock = StageLock(where.s3, where.bucket, settings.stage, holder, timeout=settings.lock_timeout)
    with aws.translate_errors():
        lock.acquire()
    try:
        with aws.translate_errors():
            catalog = read_catalog(where, settings.stage)
            done = roll_back(
                where, catalog, to=to, error_pages=error_page_keys(settings), confirm=confirm
            )
    finally:
        lock.release()
    if done is None:
        print(f"live release of stage {settings.stage} unchanged: {catalog.live}")
        return {
            "stage": settings.stage,
            "release": catalog.live,
            "previous": catalog.live,
            "changed": False,
            "error_pages": [],
        }
    pages = f" (error pages copied: {', '.join(done.error_pages)})" if done.error_pages else ""
    print(f"release {done.release} is live (was {done.previous}){pages}")
    return {
        "stage": settings.stage,
        "release": done.release,
        "previous": done.previous,
        "changed": True,
        "error_pages": list(done.error_pages),
    }


@hosting_task(help={"stage": "stage whose live release to check (default: hosting.default_stage)"})
def verify(c: Context, stage: str = "") -> None:
    """Check that every file of the live release is in the bucket with its ETag and headers."""
    from amplify_tasks import aws
    from amplify_tasks.errors import SyncError
    from amplify_tasks.releases.catalog import read_catalog
    from amplify_tasks.releases.verify import verify_live

    _project, settings, where = _stage(c, stage)
    with aws.translate_errors():
        found = verify_live(where, read_catalog(where, settings.stage))
    for line in found.problems:
        print(line)
    if found.problems:
        raise SyncError(
            f"live release {found.release} of stage {settings.stage}: {len(found.problems)} "
            f"problem(s) in {found.files} files; publish with --force to write it again"
        )
    print(f"live release {found.release}: all {found.files} files present as published")

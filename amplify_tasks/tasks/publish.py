"""`inv publish`: deploy the backend, build, sync the dist folder, invalidate CloudFront."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._edge import hosting_task
from ._machine import machine_output

if TYPE_CHECKING:
    from invoke import Context


@hosting_task(
    help={
        "stage": "stage to publish (a .env.<stage> must exist; default: hosting.default_stage)",
        "invalidate_cloudfront": "invalidate the changed paths on the stage's CloudFront",
        "dry_run": "print the stack changes, the sync plan and the invalidation paths; "
        "change nothing",
        "yes": "do not ask before deleting stale objects",
        "skip_build": "do not run the build command (publish the dist folder as it is)",
        "skip_backend": "do not deploy the stack; publish to the stack as it is",
        "force": "upload every file again, changed or not",
        "verbose": "list every file with the reason it is uploaded, fixed or deleted",
        "wait": "with -c: wait until the invalidation has completed",
        "allow_dirty": "publish even with uncommitted changes (require-clean-git hook)",
        "no_hooks": "run no user hooks (pre-built hooks still run)",
        "allow_replace": "let the deploy replace the stage's bucket (HOSTING_BUCKET_NAME "
        "changed): the old bucket keeps its files until you delete it",
        "preview": "publish as preview NAME (1-40 of a-z, 0-9, '-'): the same release, "
        "reachable only at its preview URL; the live release is not touched",
        "expires": "with --preview: how long the preview lives (7d, 12h, 30m, 45s; default "
        "HOSTING_PREVIEW_EXPIRES)",
        "json": "print one JSON document on stdout (schemas/publish.schema.json), also on "
        "failure; progress, messages and the summary go to stderr",
    },
    short_flags={"invalidate_cloudfront": "c"},
)
def publish(
    c: Context,
    stage: str = "",
    invalidate_cloudfront: bool = False,
    dry_run: bool = False,
    yes: bool = False,
    skip_build: bool = False,
    skip_backend: bool = False,
    force: bool = False,
    verbose: bool = False,
    wait: bool = False,
    allow_dirty: bool = False,
    no_hooks: bool = False,
    allow_replace: bool = False,
    preview: str = "",
    expires: str = "",
    json: bool = False,
) -> None:
    """Deploy a stage's stack, build, sync the dist folder to S3 and invalidate CloudFront."""
    from amplify_tasks.publishing import (
        Publisher,
        PublishOptions,
        PublishSummary,
        append_step_summary,
        publish_document,
    )

    from ..errors import SettingsError
    from ..project import Project
    from ..prompt import EndOfInput, Prompter, interactive

    options = PublishOptions(
        stage=stage,
        invalidate=invalidate_cloudfront,
        dry_run=dry_run,
        yes=yes,
        skip_build=skip_build,
        skip_backend=skip_backend,
        force=force,
        verbose=verbose,
        wait=wait,
        allow_dirty=allow_dirty,
        no_hooks=no_hooks,
        allow_replace=allow_replace,
        preview=preview,
        expires=expires,
    )
    confirm = None
    if not yes and interactive():
        prompter = Prompter()

        def confirm(question: str) -> bool:
            try:
                return prompter.confirm(question, default=False)
            except EndOfInput:
                raise SettingsError(
                    "input ended at the question whether to delete stale objects: nothing "
                    "was uploaded or deleted; answer y or n, or pass --yes"
                ) from None

    project = Project.from_context(c)
    started: list[Publisher] = []

    def body() -> dict[str, object]:
        summary = started[0].summary if started else PublishSummary(stage, dry_run=dry_run)
        return publish_document(summary)

    with machine_output(body, json_output=json, then=append_step_summary):
        started.append(Publisher(project, options, confirm=confirm))
        started[0].run()

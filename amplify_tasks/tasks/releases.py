"""`inv hosting.releases`, `inv hosting.rollback` and `inv hosting.verify`: a release stage's
kept releases, making an earlier one live again, and checking the live one object by object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._edge import hosting_task
from ._release_stage import asker, release_stage, stage_locked, switched

if TYPE_CHECKING:
    from invoke import Context


@hosting_task(help={"stage": "stage whose releases to list (default: hosting.default_stage)"})
def releases(c: Context, stage: str = "") -> None:
    """List a stage's kept releases, newest first, the live one marked."""
    from amplify_tasks import aws
    from amplify_tasks.releases.catalog import read_catalog, require_releases, rows
    from amplify_tasks.ui import table

    found = release_stage(c, stage)
    with aws.translate_errors():
        catalog = read_catalog(found.where, found.settings.stage)
    require_releases(catalog)
    header = ["release", "created", "files", "size", "commit", ""]
    for line in table([header, *rows(catalog)]):
        print(line.rstrip())


@hosting_task(
    help={
        "stage": "stage to roll back (default: hosting.default_stage)",
        "to": "release id to make live (default: the release before the live one)",
        "yes": "do not ask for confirmation",
    }
)
def rollback(c: Context, stage: str = "", to: str = "", yes: bool = False) -> None:
    """Make an earlier release live again: one key value store write, nothing uploaded."""
    from amplify_tasks.releases.catalog import read_catalog
    from amplify_tasks.releases.rollback import roll_back
    from amplify_tasks.templates import error_page_keys

    found = release_stage(c, stage)
    settings, where = found.settings, found.where
    with stage_locked("hosting.rollback", found):
        catalog = read_catalog(where, settings.stage)
        done = roll_back(
            where,
            catalog,
            to=to,
            error_pages=error_page_keys(settings),
            confirm=asker("hosting.rollback", yes),
        )
    print(switched(done, settings.stage, catalog.live))


@hosting_task(help={"stage": "stage whose live release to check (default: hosting.default_stage)"})
def verify(c: Context, stage: str = "") -> None:
    """Check that every file of the live release is in the bucket with its ETag and headers."""
    from amplify_tasks import aws
    from amplify_tasks.errors import SyncError
    from amplify_tasks.releases.catalog import read_catalog
    from amplify_tasks.releases.verify import verify_live

    at = release_stage(c, stage)
    settings = at.settings
    with aws.translate_errors():
        found = verify_live(at.where, read_catalog(at.where, settings.stage))
    for line in found.problems:
        print(line)
    if found.problems:
        raise SyncError(
            f"live release {found.release} of stage {settings.stage}: {len(found.problems)} "
            f"problem(s) in {found.files} files; publish with --force to write it again"
        )
    print(f"live release {found.release}: all {found.files} files present as published")

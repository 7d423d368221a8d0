"""`inv hosting.previews` and `inv hosting.promote`: a release stage's previews listed,
deleted or pruned, and a preview's release made live without an upload."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ._edge import hosting_task
from ._machine import machine_output
from ._release_stage import asker, release_stage, stage_locked, switched

if TYPE_CHECKING:
    from invoke import Context


@hosting_task(
    help={
        "stage": "stage whose previews to list (default: hosting.default_stage)",
        "delete": "delete preview NAME (its key; its release once no kept release needs it)",
        "prune": "delete the expired previews and what only they kept",
        "json": "print one JSON document on stdout (schemas/previews.schema.json)",
    }
)
def previews(
    c: Context, stage: str = "", delete: str = "", prune: bool = False, json: bool = False
) -> None:
    """List a stage's previews (name, release, created, expires, URL, protected)."""
    from amplify_tasks.releases import preview_admin as admin
    from amplify_tasks.releases.catalog import read_catalog
    from amplify_tasks.releases.preview_store import expired_previews
    from amplify_tasks.stack import working_url
    from amplify_tasks.templates import error_page_keys
    from amplify_tasks.ui import table

    body: dict[str, object] = {"stage": stage, "previews": [], "deleted": []}
    with machine_output(lambda: body, json_output=json):
        found = release_stage(c, stage)
        settings, where = found.settings, found.where
        body["stage"] = settings.stage
        if delete or prune:
            with stage_locked("hosting.previews", found):
                catalog = read_catalog(where, settings.stage)
                drop = [admin.find_preview(catalog, delete)] if delete else []
                drop += [p for p in expired_previews(catalog.store, time.time()) if prune]
                done = admin.prune(
                    where,
                    catalog,
                    drop,
                    keep=settings.keep_releases,
                    error_pages=error_page_keys(settings),
                )
            body["deleted"] = list(done.previews)
            print(f"previews deleted: {', '.join(done.previews) or 'none'}")
            if done.gc.releases or done.gc.objects:
                print(f"collected {len(done.gc.releases)} release(s), {done.gc.objects} object(s)")
        catalog = read_catalog(where, settings.stage)
        rows = admin.preview_rows(
            catalog, working_url(found.outputs), settings.preview_domain, time.time()
        )
        body["previews"] = rows
        if not rows:
            print(f"stage {settings.stage} has no previews")
            return
        for line in table(admin.table_rows(rows)):
            print(line.rstrip())


@hosting_task(
    help={
        "stage": "stage to promote on (default: hosting.default_stage)",
        "preview": "the preview whose release becomes live",
        "yes": "do not ask for confirmation",
    }
)
def promote(c: Context, stage: str = "", preview: str = "", yes: bool = False) -> None:
    """Make a preview's release live: one key value store write, nothing uploaded."""
    from amplify_tasks.errors import SettingsError
    from amplify_tasks.releases.catalog import read_catalog
    from amplify_tasks.releases.preview_admin import promote as promote_preview
    from amplify_tasks.templates import error_page_keys

    if not preview:
        raise SettingsError(
            "hosting.promote needs --preview NAME: `inv hosting.previews` lists them"
        )
    found = release_stage(c, stage)
    settings, where = found.settings, found.where
    with stage_locked("hosting.promote", found):
        catalog = read_catalog(where, settings.stage)
        done = promote_preview(
            where,
            catalog,
            preview,
            error_pages=error_page_keys(settings),
            confirm=asker("hosting.promote", yes),
        )
    print(switched(done, settings.stage, catalog.live, of=f" of preview {preview}"))

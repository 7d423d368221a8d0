"""`inv hosting.previews` and `inv hosting.promote` as data and steps: the stage's previews
as rows, a preview deleted or the expired ones pruned (their keys, then what no kept release
needs, as a publish collects it), and a preview's release made live without an upload."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from amplify_tasks.errors import ReleaseError

from .catalog import Catalog
from .collect import GcResult, collect
from .gc import plan_gc
from .manifest import now_iso
from .prepare import Stage
from .preview_store import drop_previews, previews_of
from .previews import Preview, check_name, preview_url
from .rollback import Rollback, require_manifest, switch_live
from .state import tree_ids

#: Deletes sent at once by a prune.
DELETERS = 8


@dataclass(frozen=True)
class Pruned:
    """What a delete or prune did: the previews dropped and the garbage collected."""

    previews: tuple[str, ...] = ()
    gc: GcResult = field(default_factory=GcResult)


def find_preview(catalog: Catalog, name: str) -> Preview:
    """Preview ``name`` of the stage; ReleaseError naming the listing when there is none."""
    check_name(name)
    for preview in previews_of(catalog.store):
        if preview.name == name:
            return preview
    raise ReleaseError(
        f"stage {catalog.stage} has no preview {name}: `inv hosting.previews --stage "
        f"{catalog.stage}` lists them"
    )


def preview_rows(
    catalog: Catalog, site_url: str, preview_domain: str, now: float
) -> list[dict[str, object]]:
    """One row a preview: name, release, created, expires, url, protected, expired."""
    return [
        {
            "name": p.name,
            "release": p.release,
            "created": now_iso(p.created),
            "expires": now_iso(p.expires),
            "url": preview_url(p.name, site_url, preview_domain),
            "protected": p.protected,
            "expired": p.expired(now),
        }
        for p in previews_of(catalog.store)
    ]


def table_rows(rows: Sequence[dict[str, object]]) -> list[list[str]]:
    """The listing as text: a header, then one line a preview."""
    header = ["preview", "release", "created", "expires", "password", "url"]
    return [header] + [
        [
            str(r["name"]),
            str(r["release"]),
            str(r["created"]),
            f"{r['expires']}{' (expired)' if r['expired'] else ''}",
            "yes" if r["protected"] else "no",
            str(r["url"]),
        ]
        for r in rows
    ]


def prune(
    stage: Stage,
    catalog: Catalog,
    drop: Sequence[Preview],
    *,
    keep: int,
    error_pages: Iterable[str],
) -> Pruned:
    """Delete the keys of ``drop``, then collect what no kept release needs any more (as a
    publish would; nothing while the live release's manifest cannot be read)."""
    store = drop_previews(stage, catalog.store, drop)
    names = tuple(p.name for p in drop)
    live = next((r.manifest for r in catalog.releases if r.live), None)
    if live is None:
        return Pruned(names)
    gc = plan_gc(
        live=live,
        manifests={r.id: r.manifest for r in catalog.releases},
        trees=tree_ids(stage.s3, stage.bucket),
        store=store,
        keep=keep,
        error_pages=list(error_pages),
    )
    if gc.empty:
        return Pruned(names)
    with ThreadPoolExecutor(DELETERS) as pool:
        done = collect(
            gc, s3=stage.s3, bucket=stage.bucket, kvs=stage.kvs, arn=stage.arn, pool=pool
        )
    return Pruned(names, done)


def promote(
    stage: Stage,
    catalog: Catalog,
    name: str,
    *,
    error_pages: Iterable[str],
    confirm: Callable[[str], bool],
) -> Rollback | None:
    """Make preview ``name``'s release live (one store write, no upload); None when it is
    live already or ``confirm`` said no."""
    preview = find_preview(catalog, name)
    target = catalog.find(preview.release)
    if target.id == catalog.live:
        return None
    require_manifest(target)
    now = catalog.live or "none"
    if not confirm(
        f"make release {target.id} (preview {name}) live on stage {catalog.stage} (now {now})?"
    ):
        return None
    return switch_live(stage, catalog, target, error_pages=error_pages)

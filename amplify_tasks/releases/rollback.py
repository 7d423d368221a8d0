"""Rollback: make a kept release live again with one key value store write (its key set is
still there; its keys are written again only when missing, in the same chain as ``live``),
then copy its error pages to the root where they differ. No upload, no copy of the release
itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from amplify_tasks.errors import ReleaseError

from .catalog import Catalog, Listed, require_releases
from .collect import copy_error_pages
from .keysets import key_writes, release_entries
from .layout import LIVE_KEY
from .manifest import ReleaseManifest
from .prepare import Stage
from .state import read_key
from .store import move_pointer


@dataclass(frozen=True)
class Rollback:
    """What a rollback did: the release made live, the one live before, the pages copied."""

    release: str
    previous: str
    error_pages: tuple[str, ...] = ()
    store_keys: int = 0  # keys of its set written again


def roll_back(
    stage: Stage,
    catalog: Catalog,
    *,
    to: str,
    error_pages: Iterable[str],
    confirm: Callable[[str], bool],
) -> Rollback | None:
    """Make release ``to`` (default: the one before the live one) live; None when it is live
    already or ``confirm`` said no."""
    require_releases(catalog)
    live = catalog.live
    if not live:
        raise ReleaseError(
            f"stage {catalog.stage} has no live release: `inv publish --stage {catalog.stage}` "
            "makes one"
        )
    target = catalog.find(to) if to else catalog.before_live()
    if target.id == live:
        return None
    require_manifest(target)
    if not confirm(f"make release {target.id} live on stage {catalog.stage} (now {live})?"):
        return None
    return switch_live(stage, catalog, target, error_pages=error_pages)


def require_manifest(target: Listed) -> ReleaseManifest:
    """The manifest of ``target``; ReleaseError when it cannot be read (then the release
    cannot be made live: its folders and error pages are not known)."""
    if target.manifest is None:
        raise ReleaseError(
            f"the manifest of release {target.id} cannot be read, so it cannot be made live "
            "again: choose another release"
        )
    return target.manifest


def switch_live(
    stage: Stage, catalog: Catalog, target: Listed, *, error_pages: Iterable[str]
) -> Rollback:
    """Make kept release ``target`` live: the keys of its set the store lacks (none when the
    set is there: its seal read first when the store was not listed; a set that is gone is
    written again whole), the ``live`` move (only while it holds what ``catalog`` read), its
    error pages at the root. Nothing uploaded."""
    manifest = require_manifest(target)
    store = catalog.store
    kvs = stage.kvs()
    writes = key_writes(release_entries(manifest), store.entries, store.listed)
    puts = writes.confirmed(functools.partial(read_key, kvs, stage.arn))
    move_pointer(
        kvs,
        stage.arn,
        LIVE_KEY,
        manifest.pointer.value(),
        store.live_value,
        what=f"release {target.id} was not made live; look at `inv hosting.releases` and retry",
        puts=puts,
        etag=store.etag,
    )
    pages = copy_error_pages(stage.s3, stage.bucket, manifest, error_pages)
    return Rollback(target.id, catalog.live, tuple(pages), len(puts))

"""Garbage collection of a release stage (a plan, data): the releases beyond
HOSTING_KEEP_RELEASES (never the live one nor one a pointer key refers to) with their trees,
manifests and own store keys (those written under their id before key sets); the key sets no
kept release and no pointer refers to (seal first); the pool objects only collected releases
referred to; and, once a release is live after an in-place publish, the in-place objects at
the root and the in-place facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from amplify_tasks.routing import STATE_KEY
from amplify_tasks.sync import MANIFEST_KEY, RemoteObject

from .keysets import seal_first
from .layout import manifest_key
from .manifest import ReleaseManifest
from .state import StoreState


@dataclass(frozen=True)
class GcPlan:
    """What a publish deletes once its release is live."""

    releases: tuple[str, ...] = ()  # collected: their trees (listed when deleted) go
    objects: tuple[str, ...] = ()  # pool objects and in-place root objects
    store_keys: tuple[str, ...] = ()  # folder keys of collected releases, in-place facts
    state: tuple[str, ...] = ()  # manifests of collected releases, the in-place records

    @property
    def empty(self) -> bool:
        return not (self.releases or self.objects or self.store_keys or self.state)


def history(manifests: Mapping[str, ReleaseManifest | None]) -> set[str]:
    """The releases that count towards HOSTING_KEEP_RELEASES: all but those published as a
    preview and never live (a promoted preview is the ``previous`` of a later release)."""
    made_live = {m.previous for m in manifests.values() if m is not None}
    return {i for i, m in manifests.items() if m is None or not m.preview or i in made_live}


def kept_releases(ids: Iterable[str], live: str, pointed: Iterable[str], keep: int) -> set[str]:
    """The newest ``keep`` releases of ``ids`` (the live one counted among them when it is
    one of the newest), plus the live one and every release a pointer refers to."""
    newest = sorted(set(ids) | {live}, reverse=True)[:keep]
    return {*newest, live, *pointed}


def plan_gc(
    *,
    live: ReleaseManifest,
    manifests: Mapping[str, ReleaseManifest | None],
    trees: Iterable[str],
    store: StoreState,
    keep: int,
    error_pages: Iterable[str],
    root: Mapping[str, RemoteObject] | None = None,
) -> GcPlan:
    """What to delete now that ``live`` is live. ``manifests`` are the releases with a
    manifest (None: not sound), ``trees`` the releases with objects; ``root`` is the
    bucket's root when an in-place publish left objects there (migration), else None.

    A pool object or a key set goes only when every release that is kept has a sound
    manifest (else what those refer to is not known) and, for a pool object, a collected
    release referred to it; in-place root objects go but for the pool objects in use and the
    error-page copies.
    """
    known = {*manifests, *trees, *store.release_ids(), live.id}
    kept = kept_releases(history(manifests), live.id, store.pointed(), keep)
    collected = sorted(known - kept)
    kept_manifests = [live] + [manifests.get(i) for i in sorted(kept - {live.id}) if i in manifests]
    sound = all(m is not None for m in kept_manifests)
    in_use: set[str] = set()
    for m in kept_manifests:
        if m is not None:
            in_use.update(m.pool_files())
    protected = in_use | set(error_pages)
    objects: set[str] = set()
    if sound:
        for release_id in collected:
            old = manifests.get(release_id)
            if old is not None:
                objects.update(p for p in old.pool_files() if p not in protected)
    store_keys = [k for r in collected for k in store.release_keys(r)]
    if sound:  # a key set goes when no kept release and no pointer refers to it
        used = {m.key_prefix for m in kept_manifests if m is not None}
        used |= {pointer.prefix for pointer in store.pointers()}
        for prefix in sorted(store.key_sets() - used):
            store_keys += seal_first(store.release_keys(prefix), prefix)
    state = [manifest_key(r) for r in collected if r in manifests]
    if root is not None and sound:
        objects.update(k for k in root if k not in protected)
        store_keys += store.in_place_keys()
        state += [MANIFEST_KEY, STATE_KEY]
    return GcPlan(
        releases=tuple(collected),
        objects=tuple(sorted(objects)),
        store_keys=tuple(store_keys),
        state=tuple(state),
    )

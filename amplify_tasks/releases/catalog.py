"""The releases a stage keeps, newest first, as `inv hosting.releases` lists them, and the
choice of a release to roll back to.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from amplify_tasks.errors import ReleaseError

from .layout import is_release_id
from .manifest import ReleaseManifest
from .prepare import Stage, read_manifests
from .state import StoreState, peek_store, read_store, store_state

#: Manifests read at once.
READERS = 8


@dataclass(frozen=True)
class Listed:
    """One release as listed: its id, its manifest (None: not sound), whether it is live."""

    id: str
    manifest: ReleaseManifest | None
    live: bool


@dataclass(frozen=True)
class Catalog:
    """A stage's releases, newest first, and the store they were read with."""

    stage: str
    releases: tuple[Listed, ...]
    store: StoreState

    @property
    def live(self) -> str:
        pointer = self.store.live
        return pointer.release if pointer else ""

    def find(self, release_id: str) -> Listed:
        """The release ``release_id``; ReleaseError naming the fix when there is none."""
        if not is_release_id(release_id):
            raise ReleaseError(
                f"{release_id!r} is not a release id (they look like 20261202-134211-a3f9): "
                f"`inv hosting.releases --stage {self.stage}` lists them"
            )
        for listed in self.releases:
            if listed.id == release_id:
                return listed
        raise ReleaseError(
            f"stage {self.stage} has no release {release_id}: "
            f"`inv hosting.releases --stage {self.stage}` lists the ones it keeps"
        )

    def before_live(self) -> Listed:
        """The newest release older than the live one."""
        older = [r for r in self.releases if r.id < self.live]
        if not older:
            raise ReleaseError(
                f"stage {self.stage} keeps no release older than live release {self.live}: "
                "pass --to with a release id from `inv hosting.releases`"
            )
        return older[0]


def read_catalog(stage: Stage, name: str, *, listed: bool = False) -> Catalog:
    """The releases of stage ``name`` (one listing, one GET per manifest, the store's count
    and ``live``); the store is listed when the manifests do not account for its keys, or
    ``listed`` asks for what it really holds."""
    kvs = stage.kvs()
    with ThreadPoolExecutor(READERS) as pool:
        peek = pool.submit(peek_store, kvs, stage.arn)
        manifests = read_manifests(stage, pool)
        store = (
            read_store(kvs, stage.arn)
            if listed
            else store_state(kvs, stage.arn, peek.result(), manifests)
        )
    live = store.live.release if store.live else ""
    releases = tuple(Listed(i, manifests[i], i == live) for i in sorted(manifests, reverse=True))
    return Catalog(name, releases, store)


def require_releases(catalog: Catalog) -> None:
    """ReleaseError when the stage has no release yet."""
    if not catalog.releases:
        raise ReleaseError(
            f"stage {catalog.stage} has no releases yet: `inv publish --stage {catalog.stage}` "
            "makes the first one"
        )


def rows(catalog: Catalog) -> Sequence[list[str]]:
    """The listing's rows: id, created, files, bytes, commit and message, live marker."""
    from amplify_tasks.ui import human_bytes

    from .preview_store import previews_of

    shown: dict[str, list[str]] = {}
    for preview in previews_of(catalog.store):
        shown.setdefault(preview.release, []).append(preview.name)
    found = []
    for listed in catalog.releases:
        m = listed.manifest
        names = ", ".join(shown.get(listed.id, ()))
        marker = "* live" if listed.live else (f"preview {names}" if names else "")
        if m is None:
            found.append([listed.id, "?", "?", "?", "(manifest not readable)", marker])
            continue
        commit = f"{m.origin.commit[:7]} {m.origin.message}" if m.origin.commit else "-"
        found.append([listed.id, m.created, str(len(m.files)), human_bytes(m.size), commit, marker])
    return found


def catalog_document(catalog: Catalog) -> dict[str, object]:
    """`inv hosting.releases --json`'s keys: the stage, the live release and every kept one,
    newest first (schemas/releases.schema.json)."""
    releases: list[dict[str, object]] = []
    for listed in catalog.releases:
        m = listed.manifest
        entry: dict[str, object] = {"id": listed.id, "live": listed.live, "readable": m is not None}
        if m is not None:
            entry.update(
                created=m.created,
                files=len(m.files),
                bytes=m.size,
                previous=m.previous,
                commit=m.origin.commit,
                message=m.origin.message,
                who=m.origin.who,
                keys=m.keys,
            )
        releases.append(entry)
    return {"stage": catalog.stage, "live": catalog.live, "releases": releases}

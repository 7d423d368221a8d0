"""Copies started ahead of the plan: once the live release's manifest and the dist folder's
hashes are known, and some file is new, changed or gone (a release will be made), the
server-side copies of the unchanged files into the new release start at once, while the
rest of the plan (the pool, the key set, the store) is worked out. Each is the copy
make_release_plan makes of that file (``copy_from_live``), so the plan takes it as it is.

Nothing is started when a release may not be made after all: no live release with a sound
manifest, nothing changed, more files dropped than the delete guard lets through without a
question, or a key set the store may have no room for. A publish that fails later leaves
the copies in a tree no manifest names; the next release's garbage collection deletes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks.routing.paths import STORE_MAX_BYTES
from amplify_tasks.sync.content import is_fingerprinted

from .execute import Started
from .layout import parse_pointer, release_id_after
from .manifest import FileEntry
from .plan import Hashed, Transfer, copy_from_live, release_keys
from .prepare import Stage, StageReads

if TYPE_CHECKING:
    from amplify_tasks.routing import CompiledRules


@dataclass(frozen=True)
class CopiesAhead:
    """The new release's id and its copies under way, by key."""

    release_id: str
    started: Mapping[str, Started] = field(default_factory=dict)


def changes(files: Sequence[Hashed], live: Mapping[str, FileEntry]) -> tuple[bool, int]:
    """(whether a file is new or differs from the live release's, in bytes, headers or
    place; how many files of the live release the folder lacks)."""
    changed = any(_differs(h, live.get(h.file.key)) for h in files)
    return changed, len(set(live) - {h.file.key for h in files})


def _differs(hashed: Hashed, old: FileEntry | None) -> bool:
    return old is None or not hashed.carries(old) or old.pool != is_fingerprinted(hashed.file.key)


def start_copies(
    stage: Stage,
    files: Sequence[Hashed],
    reads: StageReads,
    release_id: str,
    submit: Callable[[Transfer], Future[tuple[int, str]]],
    *,
    removable: int | None,
    routing: CompiledRules | None,
    index_document: str,
) -> CopiesAhead | None:
    """Start the copies of the unchanged files of ``files`` into a new release (its id:
    ``release_id``, or one after the stage's newest), ``submit`` starting each; None when
    nothing is started. ``removable``: how many files of the live release the new one may
    drop without the delete guard stopping or asking (None: any number); ``routing`` and
    ``index_document`` make the release's key set, which must fit in the store whatever of
    it the store holds already (else check_store_room may stop the publish)."""
    if not reads.serves(stage) or not stage.bucket or reads.peek is None:
        return None
    try:
        manifests, peek = reads.manifests.result(), reads.peek.result()
    except Exception:  # the plan reads them again and reports it
        return None
    live = parse_pointer(peek.live)
    manifest = manifests.get(live.release) if live is not None else None
    if live is None or manifest is None:
        return None
    changed, removed = changes(files, manifest.files)
    if (removable is not None and removed > removable) or not (changed or removed):
        return None
    keys = release_keys(sorted(h.file.key for h in files), routing, index_document)
    if peek.total_bytes + keys.bytes > STORE_MAX_BYTES:
        return None
    release_id = release_id_after(release_id, [*manifests, live.release])
    copies = [
        copy
        for h in files
        if not is_fingerprinted(h.file.key)
        and (copy := copy_from_live(h, manifest.files.get(h.file.key), live, release_id))
    ]
    return CopiesAhead(release_id, {c.key: (c, submit(c)) for c in copies})

"""`inv hosting.verify`: every file of the live release's manifest is in the bucket with its
ETag, size and headers, and the keys of the release's key set are in the store.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from amplify_tasks.errors import ReleaseError

from .catalog import Catalog, require_releases
from .keysets import release_entries
from .layout import release_key
from .manifest import FileEntry, ReleaseManifest
from .prepare import Stage
from .state import head_entry

#: HEAD requests at once.
CHECKERS = 16


@dataclass(frozen=True)
class Verified:
    """The live release and what is wrong with it (one line each; empty: all present)."""

    release: str
    files: int
    problems: tuple[str, ...]


def _problem(path: str, key: str, want: FileEntry, found: FileEntry | None) -> str:
    if found is None:
        return f"missing    {path} ({key})"
    diffs = [
        f"{name} {theirs!r}, manifest {ours!r}"
        for name, theirs, ours in (
            ("ETag", found.etag, want.etag),
            ("size", found.size, want.size),
            ("Content-Type", found.content_type, want.content_type),
            ("Cache-Control", found.cache_control, want.cache_control),
        )
        if theirs != ours
    ]
    return f"different  {path} ({key}): {'; '.join(diffs)}" if diffs else ""


def verify_live(stage: Stage, catalog: Catalog) -> Verified:
    """Check the live release object by object (one HEAD each, in parallel)."""
    require_releases(catalog)
    live = catalog.live
    if not live:
        raise ReleaseError(f"stage {catalog.stage} has no live release to verify")
    manifest: ReleaseManifest | None = catalog.find(live).manifest
    if manifest is None:
        return Verified(live, 0, (f"the manifest of live release {live} cannot be read",))
    keys = {
        path: (path if entry.pool else release_key(live, path))
        for path, entry in manifest.files.items()
    }
    with ThreadPoolExecutor(CHECKERS) as pool:
        heads = {
            path: pool.submit(head_entry, stage.s3, stage.bucket, key) for path, key in keys.items()
        }
        found = {path: future.result() for path, future in heads.items()}
    problems = [
        _problem(path, keys[path], manifest.files[path], found[path]) for path in sorted(keys)
    ]
    entries = catalog.store.entries
    problems += [
        f"{'missing' if k not in entries else 'differs'}    store key {k}"
        + (" (routing rules)" if k in manifest.rule_keys else "")
        for k, v in release_entries(manifest).items()
        if entries.get(k) != v
    ]
    return Verified(live, len(keys), tuple(p for p in problems if p))

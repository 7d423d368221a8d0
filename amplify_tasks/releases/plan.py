"""The plan of a release (data): the dist folder against the live release's manifest. New and
changed files are uploaded into the new release's tree, fingerprinted files the pool lacks are
written to the pool, unchanged files are copied from the live release server side; then the
manifest, the keys of the release's key set the store lacks (none when a kept release shares
it) and the pointer. A dist folder identical to the live release makes no release at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks.sync.content import is_fingerprinted
from amplify_tasks.sync.etag import is_multipart
from amplify_tasks.sync.scan import LocalFile

from .keysets import PREFIX_LENGTH, KeyWrites, folder_suffixes, key_set_prefix, key_writes
from .keysets import release_entries as set_entries
from .layout import FILE_INFIX, Pointer, folder_key, release_key
from .manifest import FileEntry, ReleaseManifest
from .origin import Origin
from .state import StoreState

if TYPE_CHECKING:
    from amplify_tasks.routing import CompiledRules

#: Why a file is in the plan.
NEW = "new"
CHANGED = "changed"
FORCED = "forced"
UNCHANGED = "unchanged"
#: CloudFront's longest key value store key, in bytes.
KEY_MAX_BYTES = 512
#: The value of an extension-less file's key (the function asks only whether it exists).
FILE_VALUE = "1"
#: S3 copies an object of at most this size in one CopyObject; larger ones are uploaded.
COPY_MAX = 5 * 1024**3


@dataclass(frozen=True)
class Hashed:
    """A local file with every ETag an upload of it can carry and the headers it gets."""

    file: LocalFile
    etags: frozenset[str]
    content_type: str
    cache_control: str

    def etag(self) -> str:
        """The ETag our upload gives it (multipart-shaped above the threshold)."""
        multipart = [e for e in self.etags if "-" in e]
        return multipart[0] if is_multipart(self.file.size) and multipart else min(self.etags)

    def carries(self, entry: FileEntry | None) -> bool:
        """Whether ``entry`` is this file's bytes with its headers."""
        return (
            entry is not None
            and entry.etag in self.etags
            and (entry.content_type, entry.cache_control) == (self.content_type, self.cache_control)
        )


@dataclass(frozen=True)
class Transfer:
    """One object of the new release: uploaded from ``local`` or copied from ``source``."""

    path: str  # the dist-relative key
    key: str  # where it goes
    reason: str
    entry: FileEntry
    local: str = ""
    source: str = ""

    @property
    def is_copy(self) -> bool:
        return bool(self.source)


@dataclass(frozen=True)
class ReleasePlan:
    """What a publish on a release stage will do; running it and printing it read this."""

    release_id: str
    previous: Pointer | None
    manifest: ReleaseManifest
    uploads: tuple[Transfer, ...] = ()
    pool_writes: tuple[Transfer, ...] = ()
    copies: tuple[Transfer, ...] = ()
    pooled: int = 0  # fingerprinted files the pool already holds
    removed: tuple[str, ...] = ()  # files of the live release the new one does not have
    keys: KeyWrites = field(default_factory=lambda: KeyWrites({}, ()))  # its set, what to write
    too_long: tuple[str, ...] = ()  # folders whose key would pass 512 bytes
    identical: bool = False  # the dist folder is the live release: no release is made
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def pointer(self) -> Pointer:
        return self.manifest.pointer

    @property
    def transfers(self) -> tuple[Transfer, ...]:
        return self.pool_writes + self.uploads + self.copies

    @property
    def bytes_to_send(self) -> int:
        return sum(t.entry.size for t in self.pool_writes + self.uploads)


def fits(suffix: str) -> bool:
    """Whether a key set's key (``suffix`` after its prefix) is within CloudFront's limit."""
    return PREFIX_LENGTH + len(suffix.encode()) <= KEY_MAX_BYTES


def folder_facts(
    paths: Sequence[str], index_document: str
) -> tuple[tuple[str, ...], bool, tuple[str, ...]]:
    """(folders with an index document, whether one's last segment has a dot, folders left
    out because their key would pass CloudFront's limit) of a release holding ``paths``."""
    from amplify_tasks.routing import path_facts

    facts = path_facts(paths, index_document)
    long = {f for f in facts.folders if not fits(folder_key("", f))}
    kept = sorted(facts.folders - long)
    dotted = any("." in f.rsplit("/", 1)[-1] for f in kept)
    return tuple(kept), dotted, tuple(sorted(long | set(facts.too_long)))


def make_release_plan(
    files: Sequence[Hashed],
    *,
    release_id: str,
    live: Pointer | None,
    live_manifest: ReleaseManifest | None,
    pool: Mapping[str, FileEntry],
    index_document: str,
    origin: Origin,
    created: str,
    force: bool = False,
    routing: CompiledRules | None = None,
    store: StoreState | None = None,
) -> ReleasePlan:
    """Diff ``files`` against the live release (``live_manifest``, None for none). ``pool``
    holds what the bucket's root is known to hold of the fingerprinted files; ``routing``:
    the dist folder's compiled rules (a change of them alone makes a release); ``store``:
    the key value store as read (None: empty), which keys of the release's set it holds."""
    live_files = live_manifest.files if live_manifest is not None else {}
    uploads: list[Transfer] = []
    pool_writes: list[Transfer] = []
    copies: list[Transfer] = []
    entries: dict[str, FileEntry] = {}
    pooled = 0
    identical = live is not None and live_manifest is not None and not force
    for hashed in files:
        path, size = hashed.file.key, hashed.file.size
        fingerprinted = is_fingerprinted(path)
        old = live_files.get(path)
        entry = FileEntry(
            hashed.etag(), size, hashed.content_type, hashed.cache_control, fingerprinted
        )
        identical = (
            identical and hashed.carries(old) and old is not None and old.pool == fingerprinted
        )
        if fingerprinted:
            held = pool.get(path)
            if not force and hashed.carries(held) and held is not None:
                entries[path] = FileEntry(
                    held.etag, size, held.content_type, held.cache_control, True
                )
                pooled += 1
                continue
            entries[path] = entry
            pool_writes.append(
                Transfer(path, path, FORCED if force else NEW, entry, hashed.file.path)
            )
            continue
        same_bytes = old is not None and not old.pool and old.etag in hashed.etags
        if same_bytes and not force and size <= COPY_MAX and live is not None:
            source = release_key(live.release, path)
            entry = FileEntry(
                old.etag if old else entry.etag, size, entry.content_type, entry.cache_control
            )
            entries[path] = entry
            copies.append(
                Transfer(path, release_key(release_id, path), UNCHANGED, entry, source=source)
            )
            continue
        reason = FORCED if force else (NEW if old is None else CHANGED)
        entries[path] = entry
        uploads.append(
            Transfer(path, release_key(release_id, path), reason, entry, hashed.file.path)
        )
    removed = tuple(sorted(set(live_files) - set(entries)))
    digest, rule_keys = rule_entries(routing, sorted(entries))
    identical = identical and not removed and len(entries) == len(live_files)
    identical = identical and live_manifest is not None and live_manifest.rules == digest
    folders, dotted, too_long = folder_facts(sorted(entries), index_document)
    prefix = key_set_prefix({**folder_suffixes(folders), **rule_keys})
    manifest = ReleaseManifest(
        id=release_id,
        created=created,
        files=entries,
        folders=folders,
        dotted=dotted,
        previous=live.release if live is not None else "",
        origin=origin,
        rules=digest,
        rule_keys={prefix + k: v for k, v in rule_keys.items()},
        keys=prefix,
    )
    known = store if store is not None else StoreState({})
    return ReleasePlan(
        release_id=release_id,
        previous=live,
        manifest=manifest,
        uploads=tuple(uploads),
        pool_writes=tuple(pool_writes),
        copies=tuple(copies),
        pooled=pooled,
        removed=removed,
        keys=key_writes(set_entries(manifest), known.entries, known.listed),
        too_long=too_long,
        identical=identical,
    )


def rule_entries(routing: CompiledRules | None, paths: Sequence[str]) -> tuple[str, dict[str, str]]:
    """(the rules' digest, '' for none; their entries in the release's key set, each key
    without the set's prefix): the compiled documents' chunks (``:R:0``), and a key per
    extension-less file (``:f:/LICENSE``) so that a 200 rule or a clean URL never hides one."""
    import hashlib

    from amplify_tasks.routing import store_entries

    if routing is None or routing.empty:
        return "", {}
    entries = store_entries("", routing)
    digest = hashlib.sha256((routing.redirects_json() + routing.headers_json()).encode())
    for path in paths:
        if "." not in path.rsplit("/", 1)[-1] and fits(FILE_INFIX + "/" + path):
            entries[FILE_INFIX + "/" + path] = FILE_VALUE
    return digest.hexdigest()[:32], dict(sorted(entries.items()))

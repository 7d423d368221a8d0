"""A release's manifest (``.amplify-tasks/releases/<id>.json``): what the release holds, file
by file (ETag, size, headers, whether it lives in the shared pool), its folders with an index
document, the prefix of its key set in the store, where it came from and the release that was
live before it. Read defensively: a
manifest this version cannot fully read is not sound (None), never half-believed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .layout import Pointer, is_key_set, is_release_id
from .origin import Origin

#: The manifest's format; a manifest of another format is not read.
FORMAT = 1


@dataclass(frozen=True)
class FileEntry:
    """One file of a release: its object's ETag, size and headers; ``pool``: a fingerprinted
    asset at the bucket's root (shared), else an object under the release's own prefix.
    ``content_type`` '' means its headers are not known (a release read from a listing)."""

    etag: str
    size: int
    content_type: str
    cache_control: str
    pool: bool = False

    @property
    def headers_known(self) -> bool:
        return bool(self.content_type)

    def same_as(self, other: FileEntry) -> bool:
        """The same bytes with the same headers where it lives (known on both sides)."""
        return self.headers_known and (
            self.etag,
            self.size,
            self.content_type,
            self.cache_control,
            self.pool,
        ) == (other.etag, other.size, other.content_type, other.cache_control, other.pool)

    def as_json(self) -> dict[str, object]:
        return {
            "etag": self.etag,
            "size": self.size,
            "headers": {"content-type": self.content_type, "cache-control": self.cache_control},
            "pool": self.pool,
        }


def now_iso(now: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if now is None else now))


@dataclass(frozen=True)
class ReleaseManifest:
    """Everything the tool knows of one release."""

    id: str
    created: str
    files: Mapping[str, FileEntry]
    folders: tuple[str, ...] = ()
    dotted: bool = False
    previous: str = ""  # the release live when this one was made ('' for none)
    origin: Origin = field(default_factory=Origin)
    rules: str = ""  # the digest of its compiled routing rules ('' for none)
    #: its routing rules' store entries, so a rollback can write back any the store lacks
    rule_keys: Mapping[str, str] = field(default_factory=dict)
    preview: str = ""  # the preview it was published as ('' for a release published live)
    keys: str = ""  # its key set's prefix ('' for a release made before: keys under its id)

    @property
    def key_prefix(self) -> str:
        """The prefix of the store keys the functions read for this release."""
        return self.keys or self.id

    @property
    def pointer(self) -> Pointer:
        """What a pointer naming this release holds."""
        return Pointer(self.id, self.dotted, bool(self.rules), self.keys)

    @property
    def size(self) -> int:
        return sum(entry.size for entry in self.files.values())

    def pool_files(self) -> dict[str, str]:
        """The pool objects the release refers to: key -> ETag."""
        return {path: e.etag for path, e in self.files.items() if e.pool}

    def same_files(self, files: Mapping[str, FileEntry]) -> bool:
        """Whether ``files`` are this release's files, bytes and headers alike."""
        return files.keys() == self.files.keys() and all(
            self.files[path].same_as(entry) for path, entry in files.items()
        )

    def body(self) -> bytes:
        data = {
            "format": FORMAT,
            "id": self.id,
            "created": self.created,
            "previous": self.previous or None,
            "git": {"commit": self.origin.commit, "message": self.origin.message}
            if self.origin.commit
            else None,
            "who": self.origin.who,
            "folders": list(self.folders),
            "dotted": self.dotted,
            "files": {path: self.files[path].as_json() for path in sorted(self.files)},
        }
        if self.rules:
            data["rules"] = self.rules
            data["rule_keys"] = dict(self.rule_keys)
        if self.preview:
            data["preview"] = self.preview
        if self.keys:
            data["keys"] = self.keys
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def _entry(value: object) -> FileEntry | None:
    if not isinstance(value, dict):
        return None
    etag, size, headers, pool = (value.get(k) for k in ("etag", "size", "headers", "pool"))
    if not isinstance(etag, str) or not etag or not isinstance(size, int) or size < 0:
        return None
    if not isinstance(headers, dict) or not isinstance(pool, bool):
        return None
    content_type, cache_control = headers.get("content-type"), headers.get("cache-control")
    if not isinstance(content_type, str) or not isinstance(cache_control, str):
        return None
    return FileEntry(etag, size, content_type, cache_control, pool)


def _strings(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def parse_release_manifest(body: bytes, release_id: str) -> ReleaseManifest | None:
    """The manifest of ``release_id`` in ``body``; None unless every part of it reads."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("id") != release_id:
        return None
    raw_files, folders = data.get("files"), _strings(data.get("folders"))
    created, previous, maker = data.get("created"), data.get("previous"), data.get("who", "")
    if not isinstance(raw_files, dict) or folders is None or not isinstance(created, str):
        return None
    if previous is not None and not (isinstance(previous, str) and is_release_id(previous)):
        return None
    files: dict[str, FileEntry] = {}
    for path, value in raw_files.items():
        entry = _entry(value)
        if entry is None or not isinstance(path, str) or not path:
            return None
        files[path] = entry
    rules, rule_keys = data.get("rules") or "", data.get("rule_keys") or {}
    if not isinstance(rules, str) or not isinstance(rule_keys, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in rule_keys.items()):
        return None
    keys = data.get("keys") or ""
    if not isinstance(keys, str) or (keys and not is_key_set(keys)):
        return None
    git = data.get("git")
    commit = message = ""
    if isinstance(git, dict):
        commit, message = str(git.get("commit") or ""), str(git.get("message") or "")
    return ReleaseManifest(
        id=release_id,
        created=created,
        files=files,
        folders=folders,
        dotted=bool(data.get("dotted")),
        previous=previous or "",
        origin=Origin(commit, message, str(maker or "")),
        rules=rules,
        rule_keys=rule_keys,
        preview=str(data.get("preview") or ""),
        keys=keys,
    )


def listed_manifest(release_id: str, objects: Iterable[tuple[str, str, int]]) -> ReleaseManifest:
    """What a listing of ``_r/<id>/`` tells of a release whose manifest is not sound: its
    own objects (path, ETag, size) with headers unknown; its pool files are not known."""
    files = {path: FileEntry(etag, size, "", "") for path, etag, size in objects}
    return ReleaseManifest(id=release_id, created="", files=files)

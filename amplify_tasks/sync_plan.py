"""The bucket side of a sync and the diff: the paginated listing (the header manifest's ETag
comes with it), compared by content into a SyncPlan, plain data in the safe upload order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .content import HeaderRules, is_html
from .sync_scan import LocalFile

#: Keys under this prefix belong to amplify-tasks: never stale, never deleted by a sync.
RESERVED_PREFIX = ".amplify-tasks/"
#: One small object recording the header rules every published object was given.
MANIFEST_KEY = RESERVED_PREFIX + "manifest.json"
MANIFEST_FORMAT = 1

# Why a file is in the plan.
NEW = "new"
CHANGED = "changed"
FORCED = "forced"
HEADERS = "headers"
STALE = "stale"

# Upload phases, in order: assets, then pages, then the root index document.
ASSETS = 1
PAGES = 2
ROOT_INDEX = 3
PHASE_NAMES = {ASSETS: "assets", PAGES: "pages", ROOT_INDEX: "root index"}


@dataclass(frozen=True)
class RemoteObject:
    """An object as the bucket listing shows it (ETag without quotes)."""

    key: str
    size: int
    etag: str


@dataclass(frozen=True)
class Change:
    """One upload (or, for reason ``headers``, one server-side copy that only sets headers)."""

    key: str
    reason: str
    path: str
    size: int
    content_type: str
    cache_control: str
    phase: int

    @property
    def is_copy(self) -> bool:
        return self.reason == HEADERS


@dataclass(frozen=True)
class SyncPlan:
    """What a sync will do; executing it and printing it read the same data."""

    bucket: str
    changes: tuple[Change, ...]
    deletes: tuple[str, ...]
    unchanged: int
    max_deletes: int
    rules_state: dict[str, Any] = field(default_factory=dict)
    write_manifest: bool = False

    @property
    def uploads(self) -> list[Change]:
        return [c for c in self.changes if not c.is_copy]

    @property
    def copies(self) -> list[Change]:
        return [c for c in self.changes if c.is_copy]

    @property
    def bytes_to_send(self) -> int:
        return sum(c.size for c in self.changes if not c.is_copy)

    @property
    def deletes_blocked(self) -> bool:
        return len(self.deletes) > self.max_deletes

    @property
    def empty(self) -> bool:
        return not self.changes and not self.deletes

    def phases(self) -> list[tuple[int, list[Change]]]:
        """The changes grouped by phase, in upload order; empty phases left out."""
        groups: dict[int, list[Change]] = {}
        for change in self.changes:
            groups.setdefault(change.phase, []).append(change)
        return sorted(groups.items())


def _list_page(
    s3: Any, bucket: str, max_keys: int, start_after: str | None, token: str | None
) -> tuple[list[RemoteObject], str | None]:
    """One ListObjectsV2 request: its objects and the continuation token when truncated."""
    kwargs: dict[str, Any] = {"Bucket": bucket, "MaxKeys": max_keys}
    if token:
        kwargs["ContinuationToken"] = token
    elif start_after:
        kwargs["StartAfter"] = start_after
    page = s3.list_objects_v2(**kwargs)
    objects = [
        RemoteObject(item["Key"], int(item["Size"]), item["ETag"].strip('"'))
        for item in page.get("Contents", ())
    ]
    return objects, page.get("NextContinuationToken") if page.get("IsTruncated") else None


def _list_pages(
    s3: Any, bucket: str, page_keys: int, start_after: str | None, stop_at: str | None = None
) -> dict[str, RemoteObject]:
    """Page through the keys after ``start_after``, up to ``stop_at`` (inclusive) if given."""
    objects: dict[str, RemoteObject] = {}
    token: str | None = None
    while True:
        found, token = _list_page(s3, bucket, page_keys, start_after, token)
        for obj in found:
            if stop_at is not None and obj.key > stop_at:
                return objects
            objects[obj.key] = obj
        if token is None or (stop_at is not None and found and found[-1].key >= stop_at):
            return objects


def list_remote(s3: Any, bucket: str, page_keys: int = 1000) -> dict[str, RemoteObject]:
    """Every object of the bucket by key.

    Our manifest sorts before the site's keys, so a one-key request first shows the first
    key: the manifest, with its ETag, when nothing sorts before it. The pages are then read
    from after it, and the manifest never takes a page of its own. Keys that do sort before
    it are listed too, from the start up to the manifest.
    """
    head, _ = _list_page(s3, bucket, 1, None, None)
    if not head:
        return {}
    if head[0].key > MANIFEST_KEY:
        return _list_pages(s3, bucket, page_keys, None)
    objects = _list_pages(s3, bucket, page_keys, MANIFEST_KEY)
    if head[0].key < MANIFEST_KEY:
        objects.update(_list_pages(s3, bucket, page_keys, None, stop_at=MANIFEST_KEY))
    else:
        objects[MANIFEST_KEY] = head[0]
    return objects


def manifest_state_from(
    s3: Any, bucket: str, remote: Mapping[str, RemoteObject], current: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The header rules the last complete sync recorded. The listing gives the manifest's
    ETag: when it is the MD5 of the manifest the current rules make, they are the same rules
    and nothing is read; otherwise one GET reads the old rules."""
    obj = remote.get(MANIFEST_KEY)
    if obj is None:
        return None
    if obj.etag == hashlib.md5(manifest_body(current)).hexdigest():
        return current
    return read_manifest(s3, bucket)


def read_manifest(s3: Any, bucket: str) -> dict[str, Any] | None:
    """The header-rules state recorded by the last complete sync (one GET), or None."""
    from botocore.exceptions import ClientError

    try:
        body = s3.get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
            return None
        raise
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return None
    rules = data.get("rules")
    return rules if isinstance(rules, dict) else None


def manifest_body(rules_state: Mapping[str, Any]) -> bytes:
    return json.dumps({"format": MANIFEST_FORMAT, "rules": rules_state}, sort_keys=True).encode()


def phase_of(key: str, content_type: str, index_document: str) -> int:
    if key == index_document:
        return ROOT_INDEX
    return PAGES if is_html(content_type) else ASSETS


#: Computes the possible ETags of each given file (the caller decides how: a thread pool).
EtagsOf = Callable[[Sequence[LocalFile]], Iterable[frozenset[str]]]


def make_plan(
    local: Sequence[LocalFile],
    remote: Mapping[str, RemoteObject],
    *,
    bucket: str,
    rules: HeaderRules,
    manifest_state: Mapping[str, Any] | None,
    etags_of: EtagsOf,
    index_document: str = "index.html",
    max_deletes: int = 256,
    force: bool = False,
) -> SyncPlan:
    """Diff local files against the bucket by content.

    Only files whose key exists remotely with the same size are hashed; a file whose ETag and
    recorded headers match costs nothing more. Headers are known from the manifest's rules.
    """
    state = rules.state()
    old_rules = HeaderRules.from_state(manifest_state) if manifest_state is not None else None
    same_rules = manifest_state is not None and dict(manifest_state) == state

    changes: list[Change] = []
    to_hash: list[tuple[LocalFile, str, str, RemoteObject]] = []
    for lf in local:
        content_type, cache_control = rules.headers_for(lf.key)
        obj = remote.get(lf.key)
        reason = None
        if obj is None:
            reason = NEW
        elif force:
            reason = FORCED
        elif obj.size != lf.size:
            reason = CHANGED
        else:
            to_hash.append((lf, content_type, cache_control, obj))
            continue
        changes.append(_change(lf, reason, content_type, cache_control, index_document))

    unchanged = 0
    etag_sets = etags_of([item[0] for item in to_hash]) if to_hash else []
    for (lf, content_type, cache_control, obj), etags in zip(to_hash, etag_sets, strict=True):
        if obj.etag not in etags:
            reason = CHANGED
        elif same_rules:
            unchanged += 1
            continue
        elif old_rules is None or old_rules.headers_for(lf.key) != (content_type, cache_control):
            reason = HEADERS
        else:
            unchanged += 1
            continue
        changes.append(_change(lf, reason, content_type, cache_control, index_document))

    local_keys = {lf.key for lf in local}
    deletes = tuple(
        sorted(k for k in remote if k not in local_keys and not k.startswith(RESERVED_PREFIX))
    )
    changes.sort(key=lambda c: (c.phase, c.key))
    return SyncPlan(
        bucket=bucket,
        changes=tuple(changes),
        deletes=deletes,
        unchanged=unchanged,
        max_deletes=max_deletes,
        rules_state=state,
        write_manifest=not same_rules,
    )


def _change(
    lf: LocalFile, reason: str, content_type: str, cache_control: str, index_document: str
) -> Change:
    return Change(
        key=lf.key,
        reason=reason,
        path=lf.path,
        size=lf.size,
        content_type=content_type,
        cache_control=cache_control,
        phase=phase_of(lf.key, content_type, index_document),
    )

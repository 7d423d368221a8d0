"""The diff of a sync: local files against the bucket listing, by content, into a SyncPlan
(plain data) in the safe upload order: assets, then pages, then the root index; deletes last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .content import HeaderRules, is_html
from .listing import MANIFEST_KEY, RESERVED_PREFIX, RemoteObject
from .manifest import Manifest
from .scan import LocalFile

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


@dataclass(frozen=True, slots=True)
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
    #: what the header record holds once every change and delete is done
    record: Manifest = field(default_factory=lambda: Manifest({}))
    #: the ETag of the record in the bucket when planned ("" when there is none)
    recorded_etag: str = ""
    #: the record must be written before the first change: the changes use other rules
    record_first: bool = False

    @property
    def write_manifest(self) -> bool:
        """The header record in the bucket is not the one this plan leaves."""
        return self.record.etag != self.recorded_etag

    delete_sizes: Mapping[str, int] = field(default_factory=dict)  # as the listing says

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
    manifest: Manifest | None,
    etags_of: EtagsOf,
    index_document: str = "index.html",
    max_deletes: int = 256,
    force: bool = False,
) -> SyncPlan:
    """Diff local files against the bucket by content.

    Only files whose key exists remotely with the same size are hashed; a file whose ETag
    matches and whose headers the header record ``manifest`` knows to be the current ones
    costs nothing more; one whose headers differ or are unknown gets a header fix (a copy).
    """
    state = rules.state()
    carries = _current_headers(rules, manifest)

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
        elif carries(obj):
            unchanged += 1
            continue
        else:
            reason = HEADERS
        changes.append(_change(lf, reason, content_type, cache_control, index_document))

    local_keys = {lf.key for lf in local}
    site = [obj for key, obj in remote.items() if not key.startswith(RESERVED_PREFIX)]
    deletes = tuple(sorted(obj.key for obj in site if obj.key not in local_keys))
    changes.sort(key=lambda c: (c.phase, c.key))
    same_rules = manifest is not None and dict(manifest.rules) == state
    if manifest is not None and same_rules and not manifest.unknown:
        pending: dict[str, str] = {}  # the usual case: every object carries the current rules
    else:
        pending = {obj.key: obj.etag for obj in site if not carries(obj)}
    recorded = remote.get(MANIFEST_KEY)
    return SyncPlan(
        bucket=bucket,
        changes=tuple(changes),
        deletes=deletes,
        unchanged=unchanged,
        max_deletes=max_deletes,
        record=Manifest(state, pending),
        recorded_etag=recorded.etag if recorded is not None else "",
        record_first=bool(changes) and not same_rules,
        delete_sizes={k: remote[k].size for k in deletes},
    )


def _current_headers(
    rules: HeaderRules, manifest: Manifest | None
) -> Callable[[RemoteObject], bool]:
    """Whether an object is known to carry the headers ``rules`` give it: the header record
    does not list it as unknown, and the record's rules give it the same headers."""
    if manifest is None:
        return lambda _obj: False  # no record: nothing is known
    unknown = manifest.unknown
    if dict(manifest.rules) == rules.state():
        return lambda obj: unknown.get(obj.key) != obj.etag
    old = HeaderRules.from_state(manifest.rules)
    if old is None:
        return lambda _obj: False  # recorded by another version of the built-in rules
    return lambda obj: (
        unknown.get(obj.key) != obj.etag and old.headers_for(obj.key) == rules.headers_for(obj.key)
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

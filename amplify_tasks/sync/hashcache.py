"""The ETags of the dist folder's files as last computed, so that a publish whose files were
not touched since hashes none of them.

One JSON file per dist folder under the project's state folder (``hashes/<digest>.json``):
for each key the file's size, mtime, ctime and inode as the scan saw them, and its ETags. A
file is hashed again unless all four are the same now. ctime cannot be set back (a tool that
rewrites a file and restores its mtime still changes its ctime), and an entry is recorded only
when the file's last change was at least ``RACY_NS`` before its bytes were read: a file
rewritten with the same size within the file system's timestamp granularity of the time it
was read cannot keep a recorded entry (git's "racy" entries). The record holds keys, sizes,
times and MD5 digests only; it is written atomically, and one that cannot be read or written
only means hashing, as without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from .scan import LocalFile

#: An entry is recorded only when the file's mtime and ctime are this much older than the
#: moment its bytes were read (nanoseconds): more than any file system's timestamp
#: granularity (FAT's 2 s) and small clock differences of a network file system.
RACY_NS = 2_000_000_000

#: Bumped whenever what an entry means changes; a record of another version is ignored.
VERSION = 1

#: What a file must still be for its entry to hold: size, mtime, ctime, inode.
Stat = tuple[int, int, int, int]


def _stat(lf: LocalFile) -> Stat:
    return (lf.size, lf.mtime_ns, lf.ctime_ns, lf.inode)


def record_path(state_dir: Path, dist: Path) -> Path:
    """Where the record of the dist folder ``dist`` lives."""
    name = hashlib.sha256(str(dist).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return state_dir / "hashes" / f"{name}.json"


class HashCache:
    """The record of one dist folder: ``get`` what it holds for a file still the same,
    ``put`` what was computed, ``save`` what this publish looked up and computed."""

    def __init__(self, path: Path, dist: Path, entries: dict[str, tuple[Stat, list[str]]]):
        self.path = path
        self.dist = str(dist)
        self._entries = entries
        self._used: dict[str, tuple[Stat, list[str]]] = {}

    @classmethod
    def load(cls, state_dir: Path, dist: Path) -> HashCache:
        """The record of ``dist`` (its resolved path), empty when there is none or it cannot
        be read as one."""
        path = record_path(state_dir, dist)
        try:
            data = json.loads(path.read_bytes())
            entries = _entries(data, str(dist))
        except (OSError, ValueError, TypeError, KeyError):
            entries = {}
        return cls(path, dist, entries)

    def get(self, lf: LocalFile) -> frozenset[str] | None:
        """The ETags recorded for ``lf``, if it is the same file it was then."""
        entry = self._used.get(lf.key) or self._entries.get(lf.key)
        if entry is None or entry[0] != _stat(lf):
            return None
        self._used[lf.key] = entry
        return frozenset(entry[1])

    def put(self, lf: LocalFile, etags: frozenset[str], read_from_ns: int) -> None:
        """Record what was computed from ``lf``'s bytes, read no earlier than
        ``read_from_ns`` (time.time_ns()), unless the file changed too close to then."""
        if max(lf.mtime_ns, lf.ctime_ns) + RACY_NS > read_from_ns:
            return
        self._used[lf.key] = (_stat(lf), sorted(etags))

    def save(self) -> None:
        """Write the entries this publish used or made, when they are not those read."""
        if self._used == self._entries:
            return
        files = {key: [*stat, etags] for key, (stat, etags) in sorted(self._used.items())}
        text = json.dumps({"version": VERSION, "dist": self.dist, "files": files})
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".hashes-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, self.path)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            self._entries = dict(self._used)


#: The types of a recorded stat, as ``_entries`` checks them (JSON gives exact ints).
_FOUR_INTS = [int, int, int, int]


def _entries(data: object, dist: str) -> dict[str, tuple[Stat, list[str]]]:
    """The entries of a record read as JSON; ValueError when it is not one of ``dist``."""
    if not isinstance(data, dict) or data.get("version") != VERSION or data.get("dist") != dist:
        raise ValueError("not a record of this dist folder")
    files = data["files"]
    if not isinstance(files, dict):
        raise ValueError("no files")
    entries: dict[str, tuple[Stat, list[str]]] = {}
    for key, value in files.items():
        size, mtime, ctime, inode, etags = value
        stat = (size, mtime, ctime, inode)
        if list(map(type, stat)) != _FOUR_INTS:
            raise ValueError("not a file's stat")
        if type(etags) is not list or not all(type(e) is str for e in etags):
            raise ValueError("not ETags")
        entries[key] = (stat, etags)
    return entries

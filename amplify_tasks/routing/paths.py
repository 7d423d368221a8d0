"""Path facts: what the viewer-request function must know of a site's files to answer
directory URLs as the S3 website does, and their entries in the distribution's key value
store. Pure functions over the bucket's keys.

A folder with an index document (``docs/index.html``) is known as ``d:/docs``; a request for
``/docs`` is then redirected to ``/docs/``. Every other URI passes to the bucket unchanged, so
an extension-less file (``LICENSE``, ``.well-known/apple-app-site-association``) is served as
itself and a missing key gets the error document. A folder whose path is also a file gets no
key: the S3 website serves the file. The ``site`` key says that the store is filled and
whether any folder's last segment has a dot (``/v1.2``), so a request for a dotted name
(``/app.js``, the common case) costs one store read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: The store's format, in the ``site`` key; the function reads format 1.
FORMAT = 1
#: The key of the meta entry, written last.
SITE_KEY = "site"
#: The prefix of a folder's key.
FOLDER_PREFIX = "d:"
#: The value of a folder's key (the function asks only whether the key exists).
FOLDER_VALUE = "1"
#: CloudFront's limits: a key is 1-512 bytes, the whole store (keys + values) 5 MB.
KEY_MAX_BYTES = 512
STORE_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class PathFacts:
    """The folders (``/docs``, ``/a/b``) of a site that have an index document, and those
    left out because their key would pass CloudFront's 512 bytes."""

    folders: frozenset[str]
    too_long: tuple[str, ...] = ()

    @property
    def dotted(self) -> bool:
        """Whether a folder's last segment has a dot."""
        return any("." in folder.rsplit("/", 1)[-1] for folder in self.folders)

    def meta(self) -> str:
        return json.dumps({"d": self.dotted, "v": FORMAT}, separators=(",", ":"))

    def entries(self) -> dict[str, str]:
        """Every key of the store and its value (the ``site`` key included)."""
        found = {FOLDER_PREFIX + folder: FOLDER_VALUE for folder in sorted(self.folders)}
        found[SITE_KEY] = self.meta()
        return found

    def size(self) -> int:
        """The store's size as CloudFront counts it: the bytes of every key and value."""
        return sum(len(k.encode()) + len(v.encode()) for k, v in self.entries().items())

    def digest(self) -> str:
        """A SHA-256 of the entries: equal digests, equal stores."""
        text = json.dumps(sorted(self.entries().items()), separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def index_folders(keys: Iterable[str], index_document: str) -> set[str]:
    """The folders, as URI paths, whose index document is among ``keys`` and whose path is
    not itself a key (the root folder is not one: ``/`` already ends with a slash)."""
    present = set(keys)
    suffix = "/" + index_document
    folders = set()
    for key in present:
        if not key.endswith(suffix):
            continue
        folder = key[: -len(suffix)]
        if folder and not folder.endswith("/") and folder not in present:
            folders.add("/" + folder)
    return folders


def path_facts(keys: Iterable[str], index_document: str, reserved: str = "") -> PathFacts:
    """The facts of a bucket holding ``keys`` (keys under ``reserved`` are not the site's)."""
    site = [k for k in keys if not (reserved and k.startswith(reserved))]
    folders = index_folders(site, index_document)
    too_long = sorted(f for f in folders if len((FOLDER_PREFIX + f).encode()) > KEY_MAX_BYTES)
    return PathFacts(frozenset(folders - set(too_long)), tuple(too_long))


@dataclass(frozen=True)
class StoreUpdate:
    """The changes that turn a store's entries into the wanted ones: puts (key, value) and
    deletes, in batches CloudFront accepts, the ``site`` key in the last batch, last."""

    puts: tuple[tuple[str, str], ...]
    deletes: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.puts and not self.deletes

    def batches(self, size: int) -> list[tuple[list[tuple[str, str]], list[str]]]:
        """(puts, deletes) per UpdateKeys call, at most ``size`` keys each: new folders first,
        stale ones next, the ``site`` key with the last call."""
        site = [p for p in self.puts if p[0] == SITE_KEY]
        ops: list[tuple[str, str] | str] = [p for p in self.puts if p[0] != SITE_KEY]
        ops += list(self.deletes)
        ops += site
        return batched(ops, size)


def batched(
    ops: Sequence[tuple[str, str] | str], size: int
) -> list[tuple[list[tuple[str, str]], list[str]]]:
    """``ops`` (a put as (key, value), a delete as its key) as (puts, deletes) per UpdateKeys
    call, at most ``size`` keys each, in order."""
    out = []
    for start in range(0, len(ops), size):
        chunk = ops[start : start + size]
        out.append(
            (
                [op for op in chunk if isinstance(op, tuple)],
                [op for op in chunk if isinstance(op, str)],
            )
        )
    return out


def store_update(current: Mapping[str, str], wanted: Mapping[str, str]) -> StoreUpdate:
    """What to put (a key missing or with another value) and delete (a key not wanted)."""
    puts = tuple((k, v) for k, v in sorted(wanted.items()) if current.get(k) != v)
    deletes = tuple(sorted(k for k in current if k not in wanted))
    return StoreUpdate(puts, deletes)

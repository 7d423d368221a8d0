"""A release's key set (data): the store entries the functions read for it (its folders with
an index document, its routing rules' chunks, its extension-less files), keyed under a prefix
made from their contents, so releases with the same folders and rules share one set and a
release whose set the store holds needs no key but its pointer.

A set is written before the pointer that names it, its seal (key ``<set>``, the count of its
other keys) last; garbage collection deletes the seal first. So a set whose writes or deletes
stopped half-way has no seal, and is written again whole by the next release that needs it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from amplify_tasks.routing.paths import FOLDER_VALUE

from .layout import FOLDER_INFIX, KEY_SET, folder_key, is_key_set
from .manifest import ReleaseManifest

#: The length of a key set's prefix (``k`` and 19 hex digits), a release id's length.
PREFIX_LENGTH = 20
assert KEY_SET.fullmatch("k" + "0" * (PREFIX_LENGTH - 1))

Entries = tuple[tuple[str, str], ...]


def key_set_prefix(suffixes: Mapping[str, str]) -> str:
    """The prefix of the set holding ``suffixes`` (each key without its prefix: ``:d:/docs``,
    ``:R:0``) with their values: a digest of them all."""
    text = json.dumps(sorted(suffixes.items()), separators=(",", ":"))
    return "k" + hashlib.sha256(text.encode()).hexdigest()[: PREFIX_LENGTH - 1]


def folder_suffixes(folders: tuple[str, ...]) -> dict[str, str]:
    """The folder keys of a set, without its prefix."""
    return {FOLDER_INFIX + folder: FOLDER_VALUE for folder in folders}


def release_entries(manifest: ReleaseManifest) -> dict[str, str]:
    """Every store key the functions read for release ``manifest`` and its value, its seal
    last (a release made before key sets: its own keys under its id, no seal)."""
    prefix = manifest.key_prefix
    found = {folder_key(prefix, folder): FOLDER_VALUE for folder in manifest.folders}
    found.update(sorted(manifest.rule_keys.items()))
    if manifest.keys and found:
        found[manifest.keys] = str(len(found))
    return found


def seal_first(keys: list[str], prefix: str) -> list[str]:
    """A set's keys in the order they are deleted: the seal first."""
    return sorted(keys, key=lambda k: (k != prefix, k))


@dataclass(frozen=True)
class KeyWrites:
    """What must be in the store before a pointer names a release: ``entries``, the release's
    whole set; ``puts``, those the store was read without; ``check``, the seal to read first
    when the store was not listed and is taken to hold the set (the count of its keys
    matched what the manifests account for): missing, the whole set is written."""

    entries: Mapping[str, str]
    puts: Entries
    check: str = ""

    @property
    def bytes(self) -> int:
        """The store bytes the puts add (keys and values)."""
        return sum(len(k.encode()) + len(v.encode()) for k, v in self.puts)

    def confirmed(self, read: Callable[[str], str | None]) -> Entries:
        """The puts, once the seal (when there is one to check) is read with ``read``."""
        if self.check and read(self.check) != self.entries[self.check]:
            return tuple(self.entries.items())
        return self.puts


def key_writes(entries: Mapping[str, str], held: Mapping[str, str], listed: bool) -> KeyWrites:
    """The writes of set ``entries`` into a store holding ``held`` (as listed, or as the
    manifests account for it when not ``listed``)."""
    puts = tuple((k, v) for k, v in entries.items() if held.get(k) != v)
    seal = next((k for k in entries if is_key_set(k)), "")
    check = seal if not puts and not listed else ""
    return KeyWrites(dict(entries), puts, check)

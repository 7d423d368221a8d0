"""Where a release stage keeps what: the bucket's layout and the key value store's keys.

- ``_r/<id>/<path>``: every file of release ``<id>`` except fingerprinted assets;
- ``<path>`` at the bucket's root: fingerprinted assets (the pool, shared by every release:
  their names change with their content) and copies of the live release's error pages
  (CloudFront fetches a custom error page without running the viewer-request function);
- ``.amplify-tasks/releases/<id>.json``: release ``<id>``'s manifest;
- key ``live`` in the stage's key value store: the live release (``{"r": id, "d": 0|1, "k":
  set}``, ``d`` telling whether a folder of the release has a dot in its last segment, ``k``
  the prefix of its key set, and ``"x": 1`` when the release has routing rules);
- a release's key set, the keys its routing reads, under a prefix ``<set>`` that is a digest
  of their contents (``k`` and 19 hex digits: never a release id, ``live`` or ``p:<name>``),
  so releases with the same folders and rules share one set and a release whose set the
  store holds writes only its pointer: key ``<set>:d:<path>``: a folder with an index
  document; keys ``<set>:R``, ``<set>:R:<i>``, ``<set>:H``, ``<set>:H:<i>``: the compiled
  `_redirects` and `_headers` (routing.rules); key ``<set>:f:<path>``: an extension-less file
  of a release with rules (a 200 rule or a clean URL never hides it); key ``<set>`` itself,
  the seal, written after the others (its value: their count), so a set whose writes stopped
  half-way is known by its missing seal (keysets);
- a pointer without ``k`` (written before key sets) reads the same keys under ``<id>:``.
"""

from __future__ import annotations

import calendar
import json
import re
import secrets
import time
from dataclasses import dataclass

from amplify_tasks.sync import RESERVED_PREFIX

#: The prefix of every release's tree.
RELEASES_PREFIX = "_r/"
#: The prefix of the release manifests (the tool's state: never public).
MANIFESTS_PREFIX = RESERVED_PREFIX + "releases/"
#: The key value store's key naming the live release.
LIVE_KEY = "live"
#: The prefix of a preview's pointer key (``p:<name>``).
PREVIEW_PREFIX = "p:"
#: The separator between a release id and a folder fact in a store key.
FOLDER_INFIX = ":d:"
#: The separator between a release id and an extension-less file's path in a store key.
FILE_INFIX = ":f:"
#: A release id: UTC time of its making to the second, then 4 hex digits.
RELEASE_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{4}")
#: A key set's prefix: ``k`` and 19 hex digits of its contents' SHA-256 (a release id's
#: length, so every key of a set is as long as the same key under a release id).
KEY_SET = re.compile(r"k[0-9a-f]{19}")


def new_release_id(now: float | None = None, after: str = "") -> str:
    """A new id; ids sort by the time they were made (``20261202-134211-a3f9``), and after
    release id ``after`` (one made in the same second, or by a clock ahead of this one)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(time.time() if now is None else now))
    made = f"{stamp}-{secrets.token_hex(2)}"
    if not is_release_id(after) or made > after:
        return made
    low = int(after[-4:], 16)
    if low < 0xFFFF:  # the same second as ``after``, a higher suffix
        return f"{after[:-4]}{low + 1 + secrets.randbelow(0xFFFF - low):04x}"
    return new_release_id(calendar.timegm(time.strptime(after[:-5], "%Y%m%d-%H%M%S")) + 1)


def is_release_id(text: str) -> bool:
    return RELEASE_ID.fullmatch(text) is not None


def is_key_set(text: str) -> bool:
    return KEY_SET.fullmatch(text) is not None


def release_key(release_id: str, path: str) -> str:
    """The bucket key of ``path`` (a dist-relative key such as ``docs/index.html``)."""
    return f"{RELEASES_PREFIX}{release_id}/{path}"


def manifest_key(release_id: str) -> str:
    return f"{MANIFESTS_PREFIX}{release_id}.json"


def folder_key(prefix: str, folder: str) -> str:
    """The store key of a folder with an index document (``folder`` as ``/docs``) in the key
    set ``prefix`` (a release id for a release made before key sets)."""
    return f"{prefix}{FOLDER_INFIX}{folder}"


def is_release_key(prefix: str, key: str) -> bool:
    """Whether a store key is one of key set ``prefix`` (a release id: that release's own
    keys, as written before key sets): its folders, rules, files, its seal."""
    return key == prefix or key.startswith(prefix + ":")


@dataclass(frozen=True)
class Pointer:
    """What a pointer key (``live``, a preview's) says: a release, its dot flag, its key set
    ('': a pointer written before key sets, the keys under the release id)."""

    release: str
    dotted: bool = False
    routed: bool = False  # the release has routing rules in the store
    keys: str = ""

    @property
    def prefix(self) -> str:
        """The prefix of the store keys the function reads for this pointer."""
        return self.keys or self.release

    def value(self) -> str:
        data: dict[str, object] = {"r": self.release, "d": int(self.dotted)}
        if self.routed:
            data["x"] = 1
        if self.keys:
            data["k"] = self.keys
        return json.dumps(data, separators=(",", ":"))


def parse_pointer(value: str | None) -> Pointer | None:
    """The pointer in a key's value; None for no value or one this format does not read."""
    if not value:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), str):
        return None
    keys = data.get("k", "")
    if not is_release_id(data["r"]) or not isinstance(keys, str):
        return None
    if keys and not is_key_set(keys):
        return None
    return Pointer(data["r"], bool(data.get("d")), bool(data.get("x")), keys)

"""Previews (pure): a preview is a release that is not live, reachable through its own
pointer key ``p:<name>`` in the stage's key value store. Its value is the pointer's
(``r`` release, ``d`` dot flag, ``k`` its key set, ``x`` when the release has routing rules)
plus ``c`` created and ``e`` expires (Unix seconds) and, when the preview asks for a
password, ``s`` a salt and ``h`` the SHA-256 hex of salt + password (the function's pick
checks both; the password itself is never stored).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from amplify_tasks.errors import SettingsError

from .layout import PREVIEW_PREFIX, Pointer, parse_pointer

#: A preview's name: what a host name label and a cookie value both carry unchanged.
NAME = re.compile(r"[a-z0-9-]{1,40}")
#: The user name HTTP Basic credentials of a protected preview carry.
PREVIEW_USER = "preview"
#: The query parameter and the cookie that choose a preview on the distribution's domain.
PARAMETER = "preview"
COOKIE = "amplify-preview"
#: CloudFront's largest key value store value, in bytes.
VALUE_MAX_BYTES = 1024


def check_name(name: str) -> str:
    """``name`` when it is a preview name; SettingsError (one line) saying what one is."""
    if not NAME.fullmatch(name):
        raise SettingsError(
            f"preview name {name!r} is not valid: use 1 to 40 of a-z, 0-9 and '-' "
            "(for example pr-42)"
        )
    return name


def preview_key(name: str) -> str:
    return PREVIEW_PREFIX + check_name(name)


def password_hash(salt: str, password: str) -> str:
    """What the function compares: SHA-256 hex of the salt followed by the password."""
    return hashlib.sha256((salt + password).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Preview:
    """One preview as its key holds it."""

    name: str
    release: str
    dotted: bool
    created: int
    expires: int
    salt: str = ""
    hash: str = ""
    routed: bool = False  # the release has routing rules: both functions read them
    keys: str = ""  # the release's key set ('' for a pointer written before key sets)

    @property
    def protected(self) -> bool:
        return bool(self.hash)

    @property
    def pointer(self) -> Pointer:
        return Pointer(self.release, self.dotted, self.routed, self.keys)

    def expired(self, now: float) -> bool:
        return now >= self.expires

    def value(self) -> str:
        data: dict[str, object] = json.loads(self.pointer.value())
        data.update(c=self.created, e=self.expires)
        if self.hash:
            data.update(s=self.salt, h=self.hash)
        text = json.dumps(data, separators=(",", ":"))
        assert len(text.encode()) <= VALUE_MAX_BYTES
        return text


def make_preview(
    name: str, pointer: Pointer, *, now: float, expires_in: int, password: str = ""
) -> Preview:
    """The preview ``name`` of ``pointer``'s release, expiring ``expires_in`` seconds from
    ``now``; with a password, a fresh salt and the hash."""
    salt = secrets.token_hex(8) if password else ""
    return Preview(
        check_name(name),
        pointer.release,
        pointer.dotted,
        int(now),
        int(now) + expires_in,
        salt,
        password_hash(salt, password) if password else "",
        pointer.routed,
        pointer.keys,
    )


def parse_preview(key: str, value: str | None) -> Preview | None:
    """The preview a ``p:<name>`` key holds; None for another key or a value not read."""
    name = key[len(PREVIEW_PREFIX) :]
    pointer = parse_pointer(value)
    if not key.startswith(PREVIEW_PREFIX) or not NAME.fullmatch(name) or pointer is None:
        return None
    data = json.loads(value or "{}")
    created, expires = data.get("c"), data.get("e")
    if not isinstance(created, int) or not isinstance(expires, int):
        return None
    salt, digest = data.get("s", ""), data.get("h", "")
    return Preview(
        name,
        pointer.release,
        pointer.dotted,
        created,
        expires,
        str(salt),
        str(digest),
        pointer.routed,
        pointer.keys,
    )


def preview_url(name: str, site_url: str, preview_domain: str = "") -> str:
    """Where a visitor sees preview ``name``: its own host under the preview domain when one
    is set, else the site's URL (the distribution's domain) with the preview parameter."""
    if preview_domain:
        return f"https://{name}.{preview_domain}/"
    return f"{site_url.rstrip('/')}/?{PARAMETER}={name}"

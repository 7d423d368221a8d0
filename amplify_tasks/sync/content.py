"""Content-Type and Cache-Control of every published file: an explicit, host-independent type
map, fingerprint detection, and the user's glob rules from invoke config ``hosting.headers``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from amplify_tasks.errors import SettingsError

#: Bumped whenever the built-in map or rules below change the headers of some file.
BUILTIN_VERSION = 1

#: Cache-Control of HTML and of files without a fingerprint: always revalidate.
REVALIDATE = "public, max-age=0, must-revalidate"

#: Cache-Control of fingerprinted assets: their name changes when their bytes do.
IMMUTABLE = "public, max-age=31536000, immutable"
DEFAULT_TYPE = "application/octet-stream"

#: Extension (lower case, no dot) -> Content-Type. Text types get ``charset=utf-8`` below.
CONTENT_TYPES: dict[str, str] = {
    # documents
    "html": "text/html",
    "htm": "text/html",
    "xhtml": "application/xhtml+xml",
    "css": "text/css",
    "js": "text/javascript",
    "mjs": "text/javascript",
    "cjs": "text/javascript",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "map": "application/json",
    "webmanifest": "application/manifest+json",
    "xml": "application/xml",
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "ics": "text/calendar",
    "vtt": "text/vtt",
    "yaml": "application/yaml",
    "yml": "application/yaml",
    "toml": "application/toml",
    "pdf": "application/pdf",
    "wasm": "application/wasm",
    # images
    "svg": "image/svg+xml",
    "png": "image/png",
    "apng": "image/apng",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "ico": "image/vnd.microsoft.icon",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    # fonts
    "woff": "font/woff",
    "woff2": "font/woff2",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "eot": "application/vnd.ms-fontobject",
    # audio and video
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "opus": "audio/opus",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "ogv": "video/ogg",
    "mov": "video/quicktime",
    "m3u8": "application/vnd.apple.mpegurl",
    "ts": "video/mp2t",
    # archives and precompressed files keep their own type and get no Content-Encoding
    "gz": "application/gzip",
    "br": "application/x-brotli",
    "zst": "application/zstd",
    "zip": "application/zip",
    "tar": "application/x-tar",
    "7z": "application/x-7z-compressed",
}


#: Types that are text and so get ``; charset=utf-8``.
_TEXT_TYPES = {
    "application/json",
    "application/ld+json",
    "application/manifest+json",
    "application/xml",
    "application/xhtml+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/yaml",
    "application/toml",
    "image/svg+xml",
}


_HTML_TYPES = {"text/html", "application/xhtml+xml"}

#: What an HTTP header value may hold (RFC 9110 field-value, ASCII only): S3 and browsers
#: refuse or split anything else.
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")


def with_charset(content_type: str) -> str:
    """``text/*`` and the text-like types above get ``charset=utf-8`` (once)."""
    if "charset=" in content_type:
        return content_type
    base = content_type.split(";", 1)[0].strip()
    if base.startswith("text/") or base in _TEXT_TYPES:
        return f"{base}; charset=utf-8"
    return content_type


def content_type_of(key: str) -> str:
    """The Content-Type of a key by its last extension, from the explicit map."""
    name = key.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else ""
    return with_charset(CONTENT_TYPES.get(ext, DEFAULT_TYPE))


def is_html(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip() in _HTML_TYPES


_HEX = "[0-9a-fA-F]"
_B64 = "[A-Za-z0-9_-]"

#: The fingerprint rule as one regular expression source, searched in a whole key or in a
#: URI path. Python's ``re`` and JavaScript (the viewer-request function, which renders this
#: very text) read it alike: ASCII classes only, lookaheads, no ``.``, ``\\d`` or flags.
#: A name is fingerprinted when a dot-separated part of its last path segment, not its
#: extension, is
#:
#: - 8 to 64 hex digits, at least one a digit: ``app.3f9a1c2b.js``, ``main.8a1b2c3d.chunk.js``;
#: - or ends in ``-``/``_`` and 8 to 64 hex digits, one a digit: ``chunk-3f9a1c2b.css``;
#: - or ends in ``-`` and the 8 base64url characters of Rollup/Vite's hash, after at least one
#:   other character, holding a digit or an upper case letter past the first and a lower case
#:   one: ``index-BxJ7kQ2a.js`` (not ``my-component.js``).
#:
#: A line break right before the dot is allowed in the last two forms, as the rule has always
#: read (a ``$`` of Python's matched before a final line break).
FINGERPRINT_PATTERN = (
    "(?:"
    rf"(?:^|[/.])(?={_HEX}*[0-9]){_HEX}{{8,64}}(?=\.)"
    rf"|[-_](?={_HEX}*[0-9]){_HEX}{{8,64}}"
    rf"|(?:[^./]-|-(?={_B64}{{8}}\n))"
    rf"(?:(?={_B64}{{0,7}}[0-9])|(?={_B64}{{1,7}}[A-Z])(?={_B64}{{0,7}}[a-z])){_B64}{{8}}"
    ")"
    r"(?=\n?\.[^/]*$)"
)
_FINGERPRINT = re.compile(FINGERPRINT_PATTERN)


def is_fingerprinted(key: str) -> bool:
    """True when the file name carries a content hash: ``app.3f9a1c2b.js``,
    ``main.8a1b2c3d.chunk.js``, ``chunk-3f9a1c2b.css``, ``index-BxJ7kQ2a.js``
    (``FINGERPRINT_PATTERN`` says exactly which)."""
    return _FINGERPRINT.search(key) is not None


def default_cache_control(key: str, content_type: str) -> str:
    if is_html(content_type) or not is_fingerprinted(key):
        return REVALIDATE
    return IMMUTABLE


@dataclass(frozen=True)
class HeaderRule:
    """One ``hosting.headers`` entry: a glob and the headers it sets."""

    glob: str
    cache_control: str | None = None
    content_type: str | None = None

    def matches(self, key: str) -> bool:
        """A glob with a ``/`` matches the whole key, one without matches the file name."""
        if "/" in self.glob:
            return fnmatch.fnmatchcase(key, self.glob.lstrip("/"))
        return fnmatch.fnmatchcase(key.rsplit("/", 1)[-1], self.glob)

    def as_dict(self) -> dict[str, str]:
        data = {"glob": self.glob}
        if self.cache_control is not None:
            data["cache_control"] = self.cache_control
        if self.content_type is not None:
            data["content_type"] = self.content_type
        return data


def _rule(entry: object, index: int) -> HeaderRule:
    where = f"invoke config hosting.headers[{index}]"
    if not isinstance(entry, Mapping):
        raise SettingsError(
            f"{where} is {entry!r}: each rule is a mapping like "
            '{"glob": "*.pdf", "cache_control": "public, max-age=3600"}'
        )
    unknown = set(entry) - {"glob", "cache_control", "content_type"}
    if unknown:
        raise SettingsError(
            f"{where} has unknown keys {sorted(unknown)}: use glob, cache_control, content_type"
        )
    glob = entry.get("glob")
    if not isinstance(glob, str) or not glob.strip():
        raise SettingsError(f'{where} has no glob: add "glob": "*.ext" (or "dir/*")')
    values: dict[str, str | None] = {}
    for name in ("cache_control", "content_type"):
        value = entry.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise SettingsError(f"{where}.{name} must be a non-empty string, not {value!r}")
        if isinstance(value, str) and not _HEADER_VALUE.fullmatch(value.strip()):
            raise SettingsError(
                f"{where}.{name} is {value!r}: an HTTP header value holds printable ASCII "
                "only (no line break, control character or non-ASCII letter); fix the value"
            )
        values[name] = value.strip() if isinstance(value, str) else None
    if values["cache_control"] is None and values["content_type"] is None:
        raise SettingsError(f"{where} sets nothing: give cache_control and/or content_type")
    return HeaderRule(glob.strip(), values["cache_control"], values["content_type"])


class HeaderRules:
    """The headers every key gets: built-in defaults, then user rules in order (later wins)."""

    def __init__(self, rules: Iterable[HeaderRule] = ()) -> None:
        self.rules = tuple(rules)
        self._known: dict[str, tuple[str, str]] = {}  # headers_for, by key

    @classmethod
    def from_config(cls, entries: object) -> HeaderRules:
        """Rules from invoke config ``hosting.headers`` (a list of mappings, or None)."""
        if entries is None:
            return cls()
        if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Iterable):
            raise SettingsError(
                "invoke config hosting.headers must be a list of rules like "
                '[{"glob": "*.pdf", "cache_control": "public, max-age=3600"}]'
            )
        return cls(_rule(entry, i) for i, entry in enumerate(entries))

    @classmethod
    def from_state(cls, state: object) -> HeaderRules | None:
        """Rules recorded by ``state()``; None when written by another built-in version."""
        if not isinstance(state, Mapping) or state.get("builtin") != BUILTIN_VERSION:
            return None
        try:
            return cls.from_config(state.get("rules", []))
        except SettingsError:
            return None

    def state(self) -> dict[str, object]:
        """What decides every key's headers, as JSON data (kept in the bucket's manifest)."""
        return {"builtin": BUILTIN_VERSION, "rules": [r.as_dict() for r in self.rules]}

    def headers_for(self, key: str) -> tuple[str, str]:
        """(Content-Type, Cache-Control) of a key (worked out once per key)."""
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._headers_for(key)
        return known

    def _headers_for(self, key: str) -> tuple[str, str]:
        content_type = content_type_of(key)
        cache_control: str | None = None
        for rule in self.rules:
            if rule.matches(key):
                if rule.content_type is not None:
                    content_type = with_charset(rule.content_type)
                if rule.cache_control is not None:
                    cache_control = rule.cache_control
        return content_type, cache_control or default_cache_control(key, content_type)

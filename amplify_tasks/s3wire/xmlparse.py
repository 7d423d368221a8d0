"""Reading S3's XML answers with ElementTree's C parser: a ListObjectsV2 page (keys and
common prefixes sent URL-encoded, ``encoding-type=url``), the errors of DeleteObjects, an
error answer's fields (S3's and the query protocol's).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus
from xml.etree import ElementTree


@dataclass(frozen=True)
class Page:
    """One ListObjectsV2 page: (key, size, ETag as sent) per object, the next token, and
    the common prefixes of a listing with a delimiter."""

    objects: list[tuple[str, int, str]]
    next_token: str | None
    prefixes: tuple[str, ...] = ()


def _strip(root: ElementTree.Element) -> str:
    """The namespace prefix of ``root``'s tag (``{ns}``), '' when it has none."""
    tag = root.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def parse_listing(body: bytes, url_encoded: bool = True) -> Page:
    root = ElementTree.fromstring(body)
    ns = _strip(root)
    key_tag, size_tag, etag_tag = f"{ns}Key", f"{ns}Size", f"{ns}ETag"
    objects = []
    for item in root.iter(f"{ns}Contents"):
        key = item.findtext(key_tag) or ""
        objects.append(
            (
                unquote_plus(key) if url_encoded else key,
                int(item.findtext(size_tag) or 0),
                item.findtext(etag_tag) or "",
            )
        )
    truncated = (root.findtext(f"{ns}IsTruncated") or "").strip().lower() == "true"
    token = root.findtext(f"{ns}NextContinuationToken") if truncated else None
    prefixes = tuple(
        unquote_plus(p) if url_encoded else p
        for p in (c.findtext(f"{ns}Prefix") or "" for c in root.iter(f"{ns}CommonPrefixes"))
    )
    return Page(objects, token or None, prefixes)


def delete_errors(body: bytes) -> list[dict[str, str]]:
    """The per-key errors of a DeleteObjects answer (Key, Code, Message)."""
    root = ElementTree.fromstring(body)
    ns = _strip(root)
    return [
        {name: error.findtext(f"{ns}{name}") or "" for name in ("Key", "Code", "Message")}
        for error in root.iter(f"{ns}Error")
    ]


def error_fields(body: bytes) -> dict[str, str]:
    """Code, Message and the other text fields of an error answer ({} for none): S3's
    ``<Error>``, or the query protocol's ``<ErrorResponse><Error>`` (its RequestId too)."""
    if not body.lstrip().startswith(b"<"):
        return {}
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return {}
    ns = _strip(root)
    if root.tag == f"{ns}ErrorResponse":
        error, request_id = root.find(f"{ns}Error"), root.findtext(f"{ns}RequestId")
        if error is None:
            return {}
        fields = _leaves(error, ns)
        return {**fields, "RequestId": request_id} if request_id else fields
    if root.tag != f"{ns}Error":
        return {}
    return _leaves(root, ns)


def _leaves(element: ElementTree.Element, ns: str) -> dict[str, str]:
    return {child.tag[len(ns) :]: (child.text or "") for child in element if len(child) == 0}

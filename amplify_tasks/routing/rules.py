"""The compiled form of a site's `_redirects`, `_headers` and HOSTING_CLEAN_URLS: plain data
with a compact JSON encoding, split into key value store entries that fit CloudFront's
limits, one set per release.

Encoding (format 1), the JSON a CloudFront Function parses (cfn/partials/rules.js.j2):

- redirects document: ``{"v":1,"c":0|1,"r":[RULE,...]}``; ``c`` = clean URLs;
  RULE = ``[FROM, TO, STATUS]`` or ``[FROM, TO, STATUS, FLAGS]``, FROM and TO as the file
  writes them; FLAGS bit 1 = forced (``!``), bit 2 = FROM matches a file of the release
  (a 200 or 404 rule then asks whether the path is a file before applying).
- headers document: ``{"v":1,"h":[[PATTERN,[[NAME,VALUE],...],[REMOVED,...]],...]}``,
  names in lower case.

Each document's JSON text is cut into chunks of at most 1,024 UTF-8 bytes (a value's
limit), stored as ``<release>:R:<i>`` (redirects) and ``<release>:H:<i>`` (headers) with
the count under ``<release>:R`` / ``<release>:H``. The function reads the count and then
every chunk on each request it runs for, so a document has at most :data:`MAX_CHUNKS`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .headers import HeaderBlock
from .patterns import match
from .redirects import NOT_FOUND, REWRITE, Redirect, RulesError

FORMAT = 1
#: CloudFront's limits on one key value store entry.
VALUE_MAX_BYTES = 1024
KEY_MAX_BYTES = 512
#: Chunks per document: each is one store read per request.
MAX_CHUNKS = 16
REDIRECTS_TAG = "R"
HEADERS_TAG = "H"

FORCED = 1
SHADOWS_FILE = 2


@dataclass(frozen=True)
class CompiledRules:
    """A release's routing rules as data."""

    redirects: tuple[Redirect, ...] = ()
    headers: tuple[HeaderBlock, ...] = ()
    clean_urls: bool = False
    #: the FROM patterns (by rule index) that match a file of the release
    shadowing: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.redirects and not self.headers and not self.clean_urls

    def redirects_doc(self) -> dict[str, object]:
        rules: list[list[object]] = []
        for index, rule in enumerate(self.redirects):
            flags = (FORCED if rule.force else 0) | (SHADOWS_FILE if index in self.shadowing else 0)
            entry: list[object] = [rule.source, rule.target, rule.status]
            if flags:
                entry.append(flags)
            rules.append(entry)
        return {"v": FORMAT, "c": int(self.clean_urls), "r": rules}

    def headers_doc(self) -> dict[str, object]:
        blocks = [[b.pattern, [list(h) for h in b.headers], list(b.removes)] for b in self.headers]
        return {"v": FORMAT, "h": blocks}

    def redirects_json(self) -> str:
        return _dumps(self.redirects_doc())

    def headers_json(self) -> str:
        return _dumps(self.headers_doc())


def _dumps(doc: object) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def compile_rules(
    redirects: Sequence[Redirect],
    headers: Sequence[HeaderBlock],
    *,
    clean_urls: bool = False,
    files: Iterable[str] = (),
) -> CompiledRules:
    """The compiled form; ``files`` are the release's paths (``/about.html``), used to mark
    the 200 and 404 rules that would otherwise hide a file."""
    paths = list(files)
    shadowing = frozenset(
        index
        for index, rule in enumerate(redirects)
        if rule.status in (REWRITE, NOT_FOUND)
        and any(match(rule.source, p) is not None for p in paths)
    )
    return CompiledRules(tuple(redirects), tuple(headers), clean_urls, shadowing)


def chunks(text: str, size: int = VALUE_MAX_BYTES) -> list[str]:
    """``text`` cut into pieces of at most ``size`` UTF-8 bytes, never inside a character."""
    out: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        width = len(ch.encode())
        if used + width > size:
            out.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += width
    if current:
        out.append("".join(current))
    return out


def store_entries(release: str, rules: CompiledRules) -> dict[str, str]:
    """The key value store entries of a release's rules: each document's chunks and their
    count (a document with nothing in it gets no entries: the function reads no chunk)."""
    entries: dict[str, str] = {}
    docs = (
        (REDIRECTS_TAG, rules.redirects_json(), bool(rules.redirects or rules.clean_urls)),
        (HEADERS_TAG, rules.headers_json(), bool(rules.headers)),
    )
    for tag, text, present in docs:
        if not present:
            continue
        pieces = chunks(text)
        entries[f"{release}:{tag}"] = str(len(pieces))
        for index, piece in enumerate(pieces):
            entries[f"{release}:{tag}:{index}"] = piece
    return entries


@dataclass(frozen=True)
class Usage:
    """How much of one limit a release's rules use."""

    what: str
    used: int
    limit: int

    @property
    def over(self) -> bool:
        return self.used > self.limit

    def as_dict(self) -> dict[str, object]:
        return {"what": self.what, "used": self.used, "limit": self.limit}


def cloudfront_usage(release: str, rules: CompiledRules) -> list[Usage]:
    """The limits a CloudFront stage applies, and the rules' use of each."""
    entries = store_entries(release, rules)
    size = sum(len(k.encode()) + len(v.encode()) for k, v in entries.items())
    return [
        Usage(
            "redirect chunks (1 KB store values)", len(chunks(rules.redirects_json())), MAX_CHUNKS
        ),
        Usage("header chunks (1 KB store values)", len(chunks(rules.headers_json())), MAX_CHUNKS),
        Usage("store bytes of the release's rules", size, 5 * 1024 * 1024),
    ]


def check_cloudfront(
    rules: CompiledRules, names: tuple[str, str] = ("_redirects", "_headers")
) -> None:
    """RulesError when a document needs more chunks than a CloudFront stage reads."""
    problems = []
    docs = (
        (names[0], len(rules.redirects), "rules", rules.redirects_json()),
        (names[1], len(rules.headers), "blocks", rules.headers_json()),
    )
    budget = MAX_CHUNKS * VALUE_MAX_BYTES
    for name, count, what, text in docs:
        size = len(text.encode())
        if len(chunks(text)) > MAX_CHUNKS:
            problems.append(
                f"{name}: {count} {what} take {size:,} bytes encoded, over the {budget:,} a "
                f"CloudFront stage reads per request ({MAX_CHUNKS} store values of 1 KB): "
                "merge rules with placeholders or splats, or remove some"
            )
    if problems:
        raise RulesError(problems)

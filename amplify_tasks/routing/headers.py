"""The `_headers` file, in the syntax Netlify and Cloudflare Pages document: a path pattern
on a line of its own (``*`` and ``:name`` as in `_redirects`), then indented ``Name: value``
lines for it; ``#`` starts a comment. Every block whose pattern matches a path adds its
headers; a header named twice gets its values joined with ``, ``. A ``! Name`` line removes
a header an earlier matching block set (Cloudflare Pages' detach syntax).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .redirects import RuleProblem

#: A header name as RFC 9110 writes a token.
TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
#: Headers a viewer-response CloudFront Function may not set (CloudFront documents them as
#: read-only or disallowed), compared in lower case.
REFUSED = frozenset(
    {
        "connection",
        "content-length",
        "expect",
        "host",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        "x-accel-buffering",
        "x-accel-charset",
        "x-accel-limit-rate",
        "x-accel-redirect",
        "x-amz-cf-id",
        "x-amz-cf-pop",
        "x-cache",
        "x-forwarded-proto",
        "x-real-ip",
    }
)


@dataclass(frozen=True)
class HeaderBlock:
    """A path pattern and the headers it sets (name in lower case, value), and those it
    removes, in file order."""

    pattern: str
    headers: tuple[tuple[str, str], ...] = ()
    removes: tuple[str, ...] = ()
    line: int = 0


@dataclass
class _Open:
    pattern: str
    line: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)

    def close(self) -> HeaderBlock:
        return HeaderBlock(self.pattern, tuple(self.headers), tuple(self.removes), self.line)


def _controls(text: str) -> bool:
    return any((ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F for ch in text)


def _header(text: str, file: str, number: int) -> tuple[str, str] | str | RuleProblem:
    """(name, value), a name to remove (a str), or the line's problem."""
    if text.startswith("!"):
        name = text[1:].strip().lower()
        if not TOKEN.match(name):
            return RuleProblem(file, number, f"'! {name}' does not name a header to remove")
        return name
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        return RuleProblem(file, number, f"{text!r} is not 'Name: value'")
    if not TOKEN.match(name):
        return RuleProblem(
            file, number, f"header name {name!r} has a space, a control character or a separator"
        )
    if _controls(value):
        return RuleProblem(file, number, f"the value of {name} has a control character: remove it")
    if name.lower() in REFUSED:
        return RuleProblem(file, number, f"{name} is set by CloudFront, not by the site: remove it")
    return name.lower(), value


def parse_headers(text: str, file: str = "_headers") -> tuple[list[HeaderBlock], list[RuleProblem]]:
    """Every block of a `_headers` text, in order, and every problem found."""
    blocks: list[HeaderBlock] = []
    problems: list[RuleProblem] = []
    current: _Open | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _controls(raw):
            problems.append(RuleProblem(file, number, "the line has a control character"))
            continue
        if not raw[0].isspace():
            if current is not None:
                blocks.append(current.close())
            current = None
            if not stripped.startswith("/") or " " in stripped or "*" in stripped[:-1]:
                problems.append(
                    RuleProblem(
                        file,
                        number,
                        f"{stripped!r} is not a path pattern: a block starts with a path "
                        "such as /* or /blog/:slug (one '*', at the end), headers are indented",
                    )
                )
                continue
            current = _Open(stripped, number)
            continue
        if current is None:
            problems.append(
                RuleProblem(file, number, "an indented header line comes before any path pattern")
            )
            continue
        found = _header(stripped, file, number)
        if isinstance(found, RuleProblem):
            problems.append(found)
        elif isinstance(found, str):
            current.removes.append(found)
        else:
            current.headers.append(found)
    if current is not None:
        blocks.append(current.close())
    return blocks, problems

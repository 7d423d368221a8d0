"""The reference matcher: what a request gets from a release's compiled rules, in Python.
The JavaScript evaluator (cfn/partials/rules.js.j2) answers the same; the tests hold both
to one table of cases.

Order: the first rule whose FROM matches wins. A redirect (3xx) always applies; a 200 or
404 rule applies to a path that is not a file of the release (unless forced with ``!``).
Then, with clean URLs: ``/about.html`` -> 301 ``/about``, ``/a/index.html`` -> 301
``/a/``, and ``/about`` (not a file, not a folder) is served from ``/about.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .patterns import fill, match
from .redirects import REDIRECT_STATUSES
from .rules import CompiledRules

#: Whether a path is a file (or a folder with an index document) of the release.
Known = Callable[[str], bool]


@dataclass(frozen=True)
class Decision:
    """A redirect (status, location), a rewrite (200, uri) or a not-found (404, uri)."""

    status: int
    location: str = ""
    uri: str = ""


def with_query(target: str, query: str) -> str:
    """``target`` with the request's query string kept (before a fragment)."""
    if not query:
        return target
    base, hash_mark, fragment = target.partition("#")
    joined = base + ("&" if "?" in base else "?") + query
    return joined + hash_mark + fragment


def _none(_path: str) -> bool:
    return False


def decide(
    rules: CompiledRules,
    path: str,
    query: str = "",
    *,
    is_file: Known = _none,
    is_folder: Known = _none,
) -> Decision | None:
    """What ``path`` (decoded, with the raw ``query`` string) gets, None: served as it is."""
    for index, rule in enumerate(rules.redirects):
        values = match(rule.source, path)
        if values is None:
            continue
        target = fill(rule.target, values)
        if rule.status in REDIRECT_STATUSES:
            return Decision(rule.status, location=with_query(target, query))
        if index in rules.shadowing and not rule.force and is_file(path):
            continue
        return Decision(rule.status, uri=target)
    if rules.clean_urls:
        return clean_url(path, query, is_file, is_folder)
    return None


def clean_url(path: str, query: str, is_file: Known, is_folder: Known) -> Decision | None:
    if path.endswith("/index.html"):
        return Decision(301, location=with_query(path[: -len("index.html")], query))
    last = path.rsplit("/", 1)[-1]
    if last.endswith(".html") and len(last) > len(".html"):
        return Decision(301, location=with_query(path[: -len(".html")], query))
    if last and "." not in last and not is_file(path) and not is_folder(path):
        return Decision(200, uri=path + ".html")
    return None


def headers_for(rules: CompiledRules, path: str) -> dict[str, str]:
    """The headers every matching block adds, combined in file order (a name set twice
    gets both values, joined with ``, ``; a ``! name`` removes what earlier blocks set)."""
    out: dict[str, str] = {}
    for block in rules.headers:
        if match(block.pattern, path) is None:
            continue
        for name in block.removes:
            out.pop(name, None)
        for name, value in block.headers:
            out[name] = f"{out[name]}, {value}" if name in out else value
    return out

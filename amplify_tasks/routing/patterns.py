"""Path patterns as `_redirects` and `_headers` write them: literal segments, ``:name``
placeholders (one whole segment each) and ``*`` (the rest of the path, captured as
``splat``), matched against a request's decoded path. The JavaScript evaluator
(cfn/partials/rules.js.j2) builds the same regular expression from the same pattern text.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: A placeholder: ``:`` then a letter, then letters, digits or ``_``.
PLACEHOLDER = re.compile(r":([A-Za-z]\w*)")
#: The name a ``*`` is captured under.
SPLAT = "splat"


def names_in(text: str) -> list[str]:
    """The placeholder names of a pattern or a target, ``splat`` for each ``*``, in order."""
    found = PLACEHOLDER.findall(text)
    return found + [SPLAT] * text.count("*")


def is_dynamic(pattern: str) -> bool:
    """Whether the pattern has a placeholder or a splat (else it matches one path)."""
    return "*" in pattern or PLACEHOLDER.search(pattern) is not None


def regex_source(pattern: str) -> str:
    """The pattern as an anchored regular expression both Python and JavaScript accept:
    ``*`` -> ``(.*)``, ``:name`` -> ``([^/]+)``, everything else literal."""
    out = []
    pos = 0
    for match in re.finditer(r"\*|:[A-Za-z]\w*", pattern):
        out.append(re.escape(pattern[pos : match.start()]).replace("/", "\\/"))
        out.append("(.*)" if match.group() == "*" else "([^/]+)")
        pos = match.end()
    out.append(re.escape(pattern[pos:]).replace("/", "\\/"))
    return "^" + "".join(out) + "$"


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(regex_source(pattern))


def match(pattern: str, path: str) -> dict[str, str] | None:
    """The captured values by name when ``path`` matches ``pattern``, else None."""
    if not is_dynamic(pattern):
        return {} if pattern == path else None
    found = _compiled(pattern).match(path)
    if found is None:
        return None
    names = [m.group()[1:] if m.group() != "*" else SPLAT for m in _tokens(pattern)]
    return dict(zip(names, found.groups(), strict=True))


def _tokens(pattern: str) -> list[re.Match[str]]:
    return list(re.finditer(r"\*|:[A-Za-z]\w*", pattern))


def fill(target: str, values: dict[str, str]) -> str:
    """``target`` with each ``:name`` it holds replaced by its captured value."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group()), target)

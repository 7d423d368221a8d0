"""The fingerprint rule as one regular expression (``FINGERPRINT_PATTERN``): a table of names,
and the same answers as the rule's former step-by-step form (kept here as the reference) on
many generated names, line breaks and non-ASCII letters included. The viewer-request
function renders the same source; tests/test_edge_releases.py runs it in the function's
JavaScript engine.
"""

from __future__ import annotations

import random
import re

import pytest

from amplify_tasks.sync.content import FINGERPRINT_PATTERN, is_fingerprinted

#: (name, fingerprinted?)
TABLE = [
    ("app.3f9a1c2b.js", True),
    ("main.8a1b2c3d.chunk.js", True),
    ("chunk-3f9a1c2b.css", True),
    ("vendor_3f9a1c2b.js", True),
    ("index-BxJ7kQ2a.js", True),
    ("index-aBcdefgh.js", True),
    ("index-abcdefg1.js", True),
    ("assets/index-BxJ7kQ2a.js", True),
    ("a/b.c/app.3f9a1c2b.js", True),
    ("APP.3F9A1C2B.JS", True),
    ("3f9a1c2b.js", True),
    ("app.3f9a1c2b.js.map", True),
    ("x." + "a1" * 32 + ".js", True),  # 64 hex digits
    ("café-BxJ7kQ2a.js", True),
    ("日本-3f9a1c2b.js", True),
    ("😀.3f9a1c2b.js", True),
    ("😀-BxJ7kQ2a.js", True),
    ("a-3f9a1c2b\n.js", True),  # a line break before the dot, as the rule always read
    ("my-component.js", False),
    ("logo.svg", False),
    ("LICENSE", False),
    ("v1.2/", False),
    ("v1.2", False),
    ("index.html", False),
    ("docs/index.html", False),
    ("index-abcdefgh.js", False),  # lower case only: a word, not a hash
    ("index-ABCDEFGH.js", False),
    ("index-Abcdefgh.js", False),
    ("-BxJ7kQ2a.js", False),  # nothing before the dash
    ("index-BxJ7kQ2a", False),  # no extension
    ("index-BxJ7kQ2a9.js", False),  # 9 characters, not hex
    ("abcdefab.js", False),  # hex without a digit
    ("x.3f9a1c2.js", False),  # 7 hex digits
    ("x." + "a1" * 32 + "a.js", False),  # 65 hex digits
    ("3f9a1c2b", False),
    (".3f9a1c2b", False),
    ("app.3f9a1c2b.js/", False),
    ("app.3f9a1c2b/readme", False),
    ("index-BxJ7kQ2a.js/x", False),
    ("café.js", False),
    ("", False),
]


@pytest.mark.parametrize(("name", "expected"), TABLE)
def test_the_table(name: str, expected: bool) -> None:
    assert is_fingerprinted(name) is expected
    assert former_rule(name) is expected


def test_the_pattern_uses_only_what_both_engines_read_alike() -> None:
    # ``.``, ``\d``, ``\w``, ``\s``, ``\b`` and lookbehinds differ between Python and JavaScript
    # (Unicode classes, line terminators) or are missing from cloudfront-js-2.0
    assert not re.search(r"(?<!\\)\.(?![^\[]*\])|\\[dwsbDWSBAZ]|\(\?<|\(\?P", FINGERPRINT_PATTERN)
    assert FINGERPRINT_PATTERN.isascii()


ALPHABET = "aAbBfFgGzZ09-_./\né٣😀"


def _part(rnd: random.Random) -> str:
    kind = rnd.randrange(5)
    if kind == 0:
        return "".join(rnd.choice("0123456789abcdefABCDEF") for _ in range(rnd.randint(6, 66)))
    if kind == 1:
        head = rnd.choice(["x", "", "ab-", "a_b"]) + rnd.choice("-_")
        return head + "".join(rnd.choice("0123456789abcdefG") for _ in range(rnd.randint(6, 66)))
    if kind == 2:
        tail = "".join(rnd.choice("aAzZ09-_") for _ in range(rnd.randint(7, 9)))
        return rnd.choice(["x", "", "ab", "-", "\n"]) + "-" + tail + rnd.choice(["", "", "\n"])
    if kind == 3:
        return "".join(rnd.choice("aZ9-_\n.") for _ in range(rnd.randint(0, 12)))
    return rnd.choice(["index", "main", "chunk", "LICENSE", "v1"])


def generated_names(count: int, seed: int = 7) -> list[str]:
    """Names near the rule's edges: random characters, and parts shaped like hashes."""
    rnd = random.Random(seed)
    names = []
    for n in range(count):
        if n % 2:
            name = "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(1, 24)))
        else:
            name = ".".join(_part(rnd) for _ in range(rnd.randint(1, 4)))
            name = rnd.choice(["", "", "a/", "a.b/", "x-12345678.js/"]) + name
        names.append(name + rnd.choice(["", "", ".js", ".css", "/", "/y", "\n"]))
    return names


def test_the_pattern_answers_as_the_former_rule() -> None:
    names = generated_names(60_000)
    assert sum(map(is_fingerprinted, names)) > 5_000  # both answers are well represented
    differ = [n for n in names if is_fingerprinted(n) != former_rule(n)]
    assert differ == []


# -- the rule's former step-by-step form, the reference the pattern must agree with -------

_HEX_SEGMENT = re.compile(r"[0-9a-fA-F]{8,64}")
_HEX_TAIL = re.compile(r"[-_]([0-9a-fA-F]{8,64})$")
_B64_TAIL = re.compile(r"-([A-Za-z0-9_-]{8})$")


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _looks_like_b64_hash(text: str) -> bool:
    return _has_digit(text) or (
        any(ch.isupper() for ch in text[1:]) and any(ch.islower() for ch in text)
    )


def former_rule(key: str) -> bool:
    name = key.rsplit("/", 1)[-1]
    parts = name.split(".")
    if len(parts) < 2:
        return False
    for segment in parts[:-1]:
        if _HEX_SEGMENT.fullmatch(segment) and _has_digit(segment):
            return True
        tail = _HEX_TAIL.search(segment)
        if tail and _has_digit(tail.group(1)):
            return True
        b64 = _B64_TAIL.search(segment)
        if b64 and len(segment) > 9 and _looks_like_b64_hash(b64.group(1)):
            return True
    return False

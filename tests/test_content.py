"""Content-Type map, charset, fingerprint detection, Cache-Control defaults and header rules."""

from __future__ import annotations

import pytest

from amplify_tasks.errors import SettingsError
from amplify_tasks.sync.content import (
    IMMUTABLE,
    REVALIDATE,
    HeaderRules,
    content_type_of,
    is_fingerprinted,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("a/b/page.HTM", "text/html; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("mod.mjs", "text/javascript; charset=utf-8"),
        ("data.json", "application/json; charset=utf-8"),
        ("app.js.map", "application/json; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("img.png", "image/png"),
        ("img.jpg", "image/jpeg"),
        ("img.gif", "image/gif"),
        ("img.webp", "image/webp"),
        ("img.avif", "image/avif"),
        ("favicon.ico", "image/vnd.microsoft.icon"),
        ("f.woff", "font/woff"),
        ("f.woff2", "font/woff2"),
        ("f.ttf", "font/ttf"),
        ("f.otf", "font/otf"),
        ("m.wasm", "application/wasm"),
        ("site.webmanifest", "application/manifest+json; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("doc.pdf", "application/pdf"),
        ("v.mp4", "video/mp4"),
        ("v.webm", "video/webm"),
        ("sitemap.xml.gz", "application/gzip"),
        ("README", "application/octet-stream"),
        ("weird.unknownext", "application/octet-stream"),
    ],
)
def test_content_types_come_from_the_explicit_map(key: str, expected: str) -> None:
    assert content_type_of(key) == expected


@pytest.mark.parametrize(
    "key",
    [
        "app.3f9a1c2b.js",
        "assets/index-BxJ7kQ2a.js",
        "assets/index-D_ryMEPs.css",
        "static/js/main.8a1b2c3d.chunk.js",
        "chunk-3f9a1c2bdeadbeef.css",
        "fonts/inter.5f3c9e1a20b7.woff2",
    ],
)
def test_fingerprinted_names_are_detected(key: str) -> None:
    assert is_fingerprinted(key)


@pytest.mark.parametrize(
    "key",
    [
        "app.js",
        "index.html",
        "jquery-3.7.1.min.js",
        "bootstrap-bundle.js",
        "my-Homepage.css",
        "assets/logo.svg",
        "vendor-template.js",
        "report-2024.pdf",
    ],
)
def test_plain_names_are_not_fingerprinted(key: str) -> None:
    assert not is_fingerprinted(key)


def test_default_cache_control() -> None:
    rules = HeaderRules()
    assert rules.headers_for("index.html")[1] == REVALIDATE
    assert rules.headers_for("page.3f9a1c2b.html")[1] == REVALIDATE  # HTML always revalidates
    assert rules.headers_for("app.js")[1] == REVALIDATE
    assert rules.headers_for("assets/index-BxJ7kQ2a.js")[1] == IMMUTABLE


def test_header_rules_override_in_order_later_wins() -> None:
    rules = HeaderRules.from_config(
        [
            {"glob": "*.pdf", "cache_control": "public, max-age=3600"},
            {"glob": "docs/*", "cache_control": "no-store"},
            {"glob": "*.data", "content_type": "text/csv"},
        ]
    )
    assert rules.headers_for("a/b.pdf") == ("application/pdf", "public, max-age=3600")
    assert rules.headers_for("docs/b.pdf") == ("application/pdf", "no-store")
    assert rules.headers_for("x.data") == ("text/csv; charset=utf-8", REVALIDATE)
    assert rules.headers_for("x.html") == ("text/html; charset=utf-8", REVALIDATE)


def test_rules_state_round_trips() -> None:
    rules = HeaderRules.from_config([{"glob": "*.pdf", "cache_control": "no-cache"}])
    again = HeaderRules.from_state(rules.state())
    assert again is not None and again.state() == rules.state()
    assert HeaderRules.from_state({"builtin": -1, "rules": []}) is None


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        ("*.pdf", "must be a list"),
        ([{"cache_control": "x"}], "has no glob"),
        ([{"glob": "*.pdf"}], "sets nothing"),
        ([{"glob": "*.pdf", "cache": "x"}], "unknown keys"),
        ([{"glob": "*.pdf", "cache_control": ""}], "non-empty string"),
        (["*.pdf"], "each rule is a mapping"),
    ],
)
def test_bad_header_rules_name_the_fix(entries: object, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment) as info:
        HeaderRules.from_config(entries)
    assert "hosting.headers" in str(info.value)

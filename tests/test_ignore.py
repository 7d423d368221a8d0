"""The publish ignore file: gitignore-syntax patterns matched against dist-relative paths,
'/'-anchored at the dist folder, and edits that keep comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_tasks.errors import SettingsError
from amplify_tasks.settings.validate import build_settings
from amplify_tasks.sync import ignore


def test_spec_matches_like_gitignore_anchored_at_dist(tmp_path: Path) -> None:
    (tmp_path / ".publishignore").write_text(
        "# comment\n/drafts/\n*.map\n!keep.map\n.DS_Store\n\n/top.txt\n"
    )
    settings = build_settings("dev", {})
    spec = ignore.load_ignore_spec(tmp_path, settings)
    assert spec.match_file("drafts/a.html")
    assert not spec.match_file("blog/drafts/a.html")
    assert spec.match_file("js/app.js.map")
    assert not spec.match_file("keep.map")
    assert spec.match_file("img/.DS_Store")
    assert spec.match_file("top.txt") and not spec.match_file("sub/top.txt")
    assert not spec.match_file("index.html")


def test_missing_file_ignores_nothing(tmp_path: Path) -> None:
    spec = ignore.load_ignore_spec(tmp_path, build_settings("dev", {}))
    assert not spec.match_file(".DS_Store")


def test_ignore_file_setting_is_used(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "ignore").write_text("*.txt\n")
    settings = build_settings("dev", {"HOSTING_IGNORE_FILE": "conf/ignore"})
    assert ignore.load_ignore_spec(tmp_path, settings).match_file("a/b.txt")


def test_edit_keeps_comments_and_reports_changes(tmp_path: Path) -> None:
    path = tmp_path / ".publishignore"
    path.write_text("# mine\n*.map\n.DS_Store\n")
    change = ignore.edit(path, add=["/drafts/", "*.map", " *.psd "], remove=[".DS_Store", "x"])
    assert change.added == ("/drafts/", "*.psd")
    assert change.removed == (".DS_Store",)
    assert change.patterns == ("*.map", "/drafts/", "*.psd")
    assert path.read_text() == "# mine\n*.map\n/drafts/\n*.psd\n"
    assert not ignore.edit(path, add=["*.map"]).changed


@pytest.mark.parametrize("pattern", ["", "   ", "# comment", "a\nb"])
def test_bad_patterns_are_refused(tmp_path: Path, pattern: str) -> None:
    path = tmp_path / ".publishignore"
    with pytest.raises(SettingsError, match="ignore pattern"):
        ignore.edit(path, add=[pattern])
    assert not path.exists()


def test_write_default_only_once(tmp_path: Path) -> None:
    path = tmp_path / ".publishignore"
    assert ignore.write_default(path)
    assert ".DS_Store" in ignore.read_patterns(path)
    path.write_text("mine\n")
    assert not ignore.write_default(path)
    assert path.read_text() == "mine\n"


KEYS = [
    "index.html",
    "Thumbs.db",
    "img/Thumbs.db",
    "Thumbs.db/",
    "Thumbs.db/a.png",
    "a/b/Thumbs.db/c.txt",
    "thumbs.db",
    "Thumbs.dbx",
    "xThumbs.db",
    "_redirects",
    "_redirects/",
    "_redirects/x.html",
    "docs/_redirects",
    "docs/_redirects/",
    "draft",
    "draft/",
    "blog/draft/post.html",
    "blog/drafted.html",
]

LITERAL = [
    [],
    [".DS_Store", "Thumbs.db", "desktop.ini", "/_redirects", "/_headers"],
    ["draft"],
    ["/draft"],
    ["Thumbs.db", "/draft", "_redirects"],
]


@pytest.mark.parametrize("patterns", LITERAL)
def test_literal_patterns_match_as_pathspec_does(patterns: list[str]) -> None:
    rule = ignore.literal_rule(patterns)
    assert rule is not None
    spec = ignore.build_spec(patterns)
    assert [k for k in KEYS if rule(k)] == [k for k in KEYS if spec.match_file(k)]


@pytest.mark.parametrize(
    "pattern",
    ["*.map", "dr?ft", "[dD]raft", "!keep", "draft/", "a/b", "\\#x", "my draft", "/", ".", "**"],
)
def test_any_other_pattern_leaves_the_matching_to_pathspec(pattern: str) -> None:
    assert ignore.literal_rule(["Thumbs.db", pattern]) is None


def test_load_ignore_takes_a_non_literal_file_to_pathspec(tmp_path: Path) -> None:
    settings = build_settings("dev", {})
    (tmp_path / ".publishignore").write_text("/drafts/\n*.map\n!keep.map\n")
    rule = ignore.load_ignore(tmp_path, settings)
    assert rule("drafts/") and rule("js/app.js.map") and not rule("keep.map")
    assert rule("_redirects") and not rule("docs/_redirects")
    (tmp_path / ".publishignore").write_text(".DS_Store\nThumbs.db\n")
    rule = ignore.load_ignore(tmp_path, settings)
    assert rule("img/Thumbs.db") and rule("_headers") and not rule("index.html")

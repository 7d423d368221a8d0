"""The publish ignore file (`.publishignore`, gitignore syntax): read and edit its patterns and
build the pathspec that publish matches dist-relative paths against ('/x' is anchored at dist).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks.errors import SettingsError

if TYPE_CHECKING:
    import pathspec

    from amplify_tasks.settings import Settings


#: What `hosting.add` writes into a new ignore file.
DEFAULT_TEXT = """\
# Files in the dist folder that publish never uploads (gitignore syntax).
# A pattern starting with '/' is anchored at the dist folder; '!pattern' re-includes.
.DS_Store
Thumbs.db
desktop.ini
"""


@dataclass(frozen=True)
class IgnoreChange:
    """What an edit of the ignore file did."""

    path: Path
    added: tuple[str, ...]
    removed: tuple[str, ...]
    patterns: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def parse_patterns(text: str) -> list[str]:
    """The patterns of an ignore file's text: no blank lines, no comments."""
    out = []
    for line in text.splitlines():
        stripped = line.rstrip()
        if stripped and not stripped.startswith("#"):
            out.append(stripped)
    return out


def read_text(path: Path) -> str:
    """The ignore file's text ('' when it does not exist); SettingsError when it is a folder,
    not UTF-8 text, or unreadable."""
    where = f"the ignore file {path} (HOSTING_IGNORE_FILE)"
    fix = "set HOSTING_IGNORE_FILE to a text file of gitignore patterns (default .publishignore)"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    except IsADirectoryError as exc:
        raise SettingsError(f"{where} is a folder: {fix}") from exc
    except OSError as exc:
        raise SettingsError(f"cannot read {where} ({exc.strerror}): {fix}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{where} is not UTF-8 text: {fix}") from exc
    if "\0" in text:
        raise SettingsError(f"{where} is a binary file, not text: {fix}")
    return text


def read_patterns(path: Path) -> list[str]:
    """The patterns in an ignore file; none when the file does not exist."""
    return parse_patterns(read_text(path))


def check_pattern(pattern: str) -> str:
    """The pattern, stripped, when pathspec accepts it; else SettingsError naming the fix."""
    import pathspec

    cleaned = pattern.strip()
    if not cleaned or cleaned.startswith("#") or "\n" in cleaned:
        raise SettingsError(
            f"ignore pattern {pattern!r} is empty, a comment or spans lines: "
            "give one gitignore pattern such as '*.map' or '/drafts/'"
        )
    try:
        pathspec.GitIgnoreSpec.from_lines([cleaned])
    except Exception as exc:  # pathspec raises its own pattern errors
        raise SettingsError(
            f"ignore pattern {pattern!r} is not valid gitignore syntax ({exc}): fix the pattern"
        ) from None
    return cleaned


def build_spec(patterns: Iterable[str]) -> pathspec.PathSpec:
    """A gitignore-style spec; match it against posix paths relative to the dist folder."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def ignore_path(project_root: Path, settings: Settings) -> Path:
    """Where a stage's ignore file lives."""
    return Path(project_root) / settings.ignore_file


#: The routing files at the top of the dist folder (`_redirects`, `_headers`): read by
#: publish, never uploaded. Their names are set in invoke config (routing.RoutingFiles).
ROUTING_FILES = ("_redirects", "_headers")


def routing_file_patterns(names: Iterable[str]) -> list[str]:
    """Patterns that leave out each of ``names`` at the top of the dist folder only."""
    return ["/" + "".join("\\" + ch if ch in "*?[]!#\\ " else ch for ch in n) for n in names]


def load_ignore_spec(
    project_root: Path, settings: Settings, routing_files: Iterable[str] = ROUTING_FILES
) -> pathspec.PathSpec:
    """The spec publish uses to skip files of the dist folder: the ignore file's patterns,
    then the routing files (never uploaded, whatever the ignore file re-includes)."""
    path = ignore_path(project_root, settings)
    return _spec(path, read_patterns(path) + routing_file_patterns(routing_files))


def _spec(path: Path, patterns: list[str]) -> pathspec.PathSpec:
    try:
        return build_spec(patterns)
    except Exception as exc:
        raise SettingsError(f"{path} holds an invalid pattern ({exc}): fix or remove it") from None


#: A pattern that is a plain name, matched at any depth, or ``/name``, at the top of the dist
#: folder: no wildcard, escape, negation, space or inner slash (the usual ignore file).
_LITERAL = re.compile(r"/?[^*?\[\]\\!#/\s][^*?\[\]\\/\s]*")


def literal_rule(patterns: Iterable[str]) -> Callable[[str], bool] | None:
    """The predicate pathspec's GitIgnoreSpec would give ``patterns`` when each of them is
    literal (a name or ``/name``), without importing pathspec or running a regex per key;
    None when one of them is not."""
    anywhere: set[str] = set()
    top: set[str] = set()
    for pattern in patterns:
        name = pattern.removeprefix("/")
        if not _LITERAL.fullmatch(pattern) or name in (".", ".."):
            return None
        (top if pattern.startswith("/") else anywhere).add(name)

    def ignored(key: str) -> bool:
        parts = key.rstrip("/").split("/")
        return parts[0] in top or not anywhere.isdisjoint(parts)

    return ignored


def load_ignore(
    project_root: Path, settings: Settings, routing_files: Iterable[str] = ROUTING_FILES
) -> Callable[[str], bool]:
    """load_ignore_spec's rules as a predicate on keys ("dir/" for a folder): literal_rule's
    when every pattern is literal, else the spec's match_file."""
    path = ignore_path(project_root, settings)
    patterns = read_patterns(path) + routing_file_patterns(routing_files)
    return literal_rule(patterns) or _spec(path, patterns).match_file


def plan_edit(
    path: Path, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> tuple[str, IgnoreChange]:
    """The new file text and the change for adding and removing patterns (nothing written).

    Comments and the order of kept lines stay; new patterns are appended.
    """
    text = read_text(path)
    to_add = [check_pattern(p) for p in add]
    to_remove = {p.strip() for p in remove if p.strip()}
    present = parse_patterns(text)
    removed = tuple(p for p in present if p in to_remove)
    lines = [line for line in text.splitlines() if line.rstrip() not in to_remove]
    kept = [p for p in present if p not in to_remove]
    added: list[str] = []
    for pattern in to_add:
        if pattern not in kept and pattern not in added:
            added.append(pattern)
    lines.extend(added)
    new_text = "\n".join(lines) + "\n" if lines else ""
    change = IgnoreChange(
        path=path,
        added=tuple(added),
        removed=tuple(dict.fromkeys(removed)),
        patterns=tuple(kept + added),
    )
    return new_text, change


def edit(path: Path, add: Iterable[str] = (), remove: Iterable[str] = ()) -> IgnoreChange:
    """Add and remove patterns in the ignore file; it is written only when something changed."""
    new_text, change = plan_edit(path, add, remove)
    if change.changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_text, encoding="utf-8")
    return change


def write_default(path: Path) -> bool:
    """Create the ignore file with the default patterns unless it exists; True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    return True

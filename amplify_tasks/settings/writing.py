"""Writing dotenv files: set or remove keys in place, keeping comments and the other keys,
atomically.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


def _quote(value: str) -> str:
    if value == "" or re.fullmatch(r"[A-Za-z0-9_./:,@%+=*-]+", value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def format_line(key: str, value: str) -> str:
    """One ``KEY=value`` line, quoted when the value needs it."""
    return f"{key}={_quote(value)}\n"


def write_settings(path: Path, updates: Mapping[str, str | None]) -> None:
    """Set or (with None) remove keys in a dotenv file, keeping comments and other keys."""
    from dotenv.parser import parse_stream

    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pending = dict(updates)
    seen: set[str] = set()
    chunks: list[str] = []
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        key = binding.key
        if key is None:
            chunks.append(_uncomment(original, pending, seen))
            continue
        if key not in updates:
            chunks.append(original)
            continue
        lead = original[: len(original) - len(original.lstrip("\n"))]
        value = pending.pop(key, None)
        if key in seen or value is None:
            chunks.append(lead)
        else:
            chunks.append(lead + format_line(key, value))
        seen.add(key)
    body = "".join(chunks)
    additions = [format_line(k, v) for k, v in pending.items() if v is not None and k not in seen]
    if additions and body and not body.endswith("\n"):
        body += "\n"
    body += "".join(additions)
    _atomic_write(path, body)


_COMMENTED_RE = re.compile(r"^(\n*)#\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=[^\n]*\n?$")


def _uncomment(original: str, pending: dict[str, str | None], seen: set[str]) -> str:
    """A commented-out ``# KEY=...`` line becomes the new setting in place."""
    match = _COMMENTED_RE.match(original)
    if not match or pending.get(match.group(2)) is None or match.group(2) in seen:
        return original
    key = match.group(2)
    value = pending.pop(key)
    seen.add(key)
    return match.group(1) + format_line(key, value or "")


def _atomic_write(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(body)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

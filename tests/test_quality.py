"""Quality gates run by the suite: ruff, ruff format, mypy on the package, and no block of
six or more lines repeated within amplify_tasks/ where one shared piece of code would serve.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "amplify_tasks"
LINTED = ["amplify_tasks", "tests", "benchmarks", "tasks.py"]
WINDOW = 6


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check() -> None:
    result = _run("ruff", "check", *LINTED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run("ruff", "format", "--check", *LINTED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_package() -> None:
    result = _run("mypy", "amplify_tasks")
    assert result.returncode == 0, result.stdout + result.stderr


_SKIP = re.compile(r"^(#|\"\"\"|'''|import |from \S+ import |[)\]}(\[{,:]+$|@|else:|try:|return$)")


def _significant_lines(path: Path) -> list[tuple[int, str]]:
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = " ".join(raw.split())
        if text and not _SKIP.match(text):
            lines.append((number, text))
    return lines


def repeated_blocks(files: list[Path], window: int = WINDOW) -> list[str]:
    """Places where the same `window` significant lines stand twice (whitespace folded)."""
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in files:
        lines = _significant_lines(path)
        for i in range(len(lines) - window + 1):
            block = tuple(text for _, text in lines[i : i + window])
            seen[block].append(f"{path.relative_to(ROOT)}:{lines[i][0]}")
    return [" ~ ".join(places) for places in seen.values() if len(places) > 1]


def test_repeated_blocks_detector_finds_a_copy(tmp_path: Path) -> None:
    body = "\n".join(f"value_{n} = compute({n}) + other({n})" for n in range(7))
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(body + "\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = repeated_blocks(sorted(tmp_path.glob("*.py")))
    finally:
        ROOT = saved
    assert found and "a.py:1" in found[0] and "b.py:1" in found[0]


@pytest.mark.parametrize("package", [PACKAGE])
def test_no_repeated_blocks_in_package(package: Path) -> None:
    files = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    assert repeated_blocks(files) == []

"""The package's structure: one package per part, no import cycles (imports inside functions
count), short modules, no reach into another package's private modules, real types."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "amplify_tasks"
#: The emulator is a program of its own beside the product.
EMULATOR = PACKAGE / "local"
MAX_LINES = 400
MAX_ANY = 40


def product_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if EMULATOR not in p.parents)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def known_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported_modules(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every amplify_tasks module ``path`` imports, at any depth of its code."""
    me = module_name(path)
    here = me if is_package(path) else me.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here
                for _ in range(node.level - 1):
                    base = base.rsplit(".", 1)[0]
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target not in known:
                continue
            submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            yield from submodules
            if len(submodules) < len(node.names):  # a name of the package itself
                yield target


def import_graph() -> dict[str, set[str]]:
    known = known_modules()
    return {
        module_name(p): set(imported_modules(p, known)) - {module_name(p)} for p in product_files()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_top_level_modules_do_not_share_a_name_prefix() -> None:
    names = [p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")]
    prefixes: dict[str, list[str]] = {}
    for name in names:
        prefixes.setdefault(name.split("_")[0], []).append(name)
    shared = {k: v for k, v in prefixes.items() if len(v) > 1}
    assert not shared, f"modules whose names carry a structure a package should show: {shared}"


def test_there_is_no_import_cycle() -> None:
    assert find_cycle(import_graph()) is None


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check itself: a two-module loop and a loop through a package's names are found."""
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"p": {"p.x"}, "p.x": {"q"}, "q": {"p"}}) == ["p", "p.x", "q", "p"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_function_level_imports_count() -> None:
    known = known_modules()
    hooks_runner = PACKAGE / "hooks" / "runner.py"
    found = set(imported_modules(hooks_runner, known))
    assert (
        "amplify_tasks.hooks.prebuilt" in found or "amplify_tasks.hooks.prebuilt.registry" in found
    )


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_product_module_is_longer_than_the_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by what its parts do"


def test_no_module_reaches_into_another_packages_private_module() -> None:
    graph = import_graph()
    offences = []
    for importer, targets in graph.items():
        for target in targets:
            last = target.rsplit(".", 1)[-1]
            owner = target.rsplit(".", 1)[0]
            if last.startswith("_") and not (importer == owner or importer.startswith(owner + ".")):
                offences.append(f"{importer} -> {target}")
    assert not offences


def test_the_sync_reports_progress_without_the_screen() -> None:
    graph = import_graph()
    sync_modules = [
        m for m in graph if m == "amplify_tasks.sync" or m.startswith("amplify_tasks.sync.")
    ]
    assert sync_modules
    for module in sync_modules:
        assert "amplify_tasks.ui" not in graph[module], f"{module} imports the screen"


def any_annotations() -> list[str]:
    found = []
    for path in product_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"\bAny\b", code) and not re.match(r"\s*(from|import)\s", code):
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    return found


def test_few_annotations_say_any() -> None:
    found = any_annotations()
    assert len(found) <= MAX_ANY, "\n".join(found)

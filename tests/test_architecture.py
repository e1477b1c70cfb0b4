"""The package layout stays as the re-layout left it (STYLE.md "Layers").

The layer order itself is a contract in .importlinter, run by `make lint`; these tests keep
what the contract does not state: no import cycle at all (within a layer too), no folder of
more than twelve modules and no `prefix_*.py` family standing in for a package.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import grimp
import pytest
from support.paths import REPO

MAX_MODULES_PER_FOLDER = 12  # besides __init__.py


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("audit", "checks", include_external_packages=False)


def _strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm over module-level imports (function-local ones included)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            components.append(component)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return components


def test_there_is_no_import_cycle(graph):
    cycles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert cycles == []


def _folders() -> list[Path]:
    roots = [REPO / "audit", REPO / "checks"]
    return [p for root in roots for p in [root, *root.rglob("*")] if (p / "__init__.py").is_file()]


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_folder_holds_more_than_twelve_modules(folder):
    modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= MAX_MODULES_PER_FOLDER


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_file_name_family_stands_in_for_a_package(folder):
    prefixes = Counter(p.stem.split("_")[0] for p in folder.glob("*_*.py"))
    assert [prefix for prefix, count in prefixes.items() if count >= 3] == []

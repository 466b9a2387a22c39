"""The import graph: no module takes part in an import cycle, and the bottom layers stay at the
bottom (lint-imports checks the declared layers in CI; this checks what it does not: cycles
inside a package)."""

from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp")  # ships with import-linter



def _cycles(graph) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_no_import_cycles():
    graph = grimp.build_graph("zsec_west")
    assert _cycles(graph) == []


def test_versions_and_files_sit_on_errors_only():
    graph = grimp.build_graph("zsec_west")
    assert graph.find_modules_directly_imported_by("zsec_west.versions") == {"zsec_west.errors"}
    for module in graph.find_children("zsec_west.files"):
        imported = graph.find_modules_directly_imported_by(module)
        assert all(name.startswith(("zsec_west.files", "zsec_west.errors")) for name in imported), module


def test_the_rule_engine_knows_no_command():
    graph = grimp.build_graph("zsec_west")
    for module in graph.find_children("zsec_west.rules"):
        for command in ("zsec_west.check", "zsec_west.tfm", "zsec_west.sbom", "zsec_west.sign",
                        "zsec_west.cli"):
            assert not graph.chain_exists(importer=module, imported=command, as_packages=True), (
                module, command)


def test_no_module_is_over_400_lines():
    # Small modules with names that say what they hold: past 400 lines a module holds two things.
    from tests.conftest import ROOT

    long = {str(path.relative_to(ROOT)): count
            for path in sorted((ROOT / "zsec_west").rglob("*.py"))
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long

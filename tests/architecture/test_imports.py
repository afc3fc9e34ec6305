"""The import graph: layers that only point down (core ← tools ← agent ← evals ← agent.cli) and no import cycles.

Every import counts, including those inside functions and under TYPE_CHECKING (grimp reads them all)."""

from __future__ import annotations

import grimp
import pytest

LAYERS = ("core", "tools", "agent", "evals")  # each may import only the ones before it
EDGES = ("agent.cli",)  # the command line sits on top of everything (it runs evals too)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*LAYERS, cache_dir=None)


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm over module → directly imported modules; components of two or more are cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(root: str) -> None:  # iterative, so a deep graph cannot hit the recursion limit
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
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycles(graph):
    assert strongly_connected(graph) == []


@pytest.mark.parametrize("lower", LAYERS[:-1])
def test_layers_only_point_down(graph, lower):
    upper = LAYERS[LAYERS.index(lower) + 1:]
    upward = sorted(
        (imp["importer"], imp["imported"])
        for pkg in upper
        for imp in graph.find_matching_direct_imports(import_expression=f"{lower}.** -> {pkg}.**")
        if not imp["importer"].startswith(EDGES)
    )
    assert upward == []


def test_cycle_finder_finds_a_cycle():
    """The check itself can fail: a two-module loop added to a copy of the graph is reported."""
    g = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        g.add_module(name)
    g.add_import(importer="a.x", imported="a.y")
    g.add_import(importer="a.y", imported="a.x")
    g.add_import(importer="a.z", imported="a.x")
    assert strongly_connected(g) == [["a.x", "a.y"]]

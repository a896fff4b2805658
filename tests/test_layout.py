"""The layout rules of DESIGN.md section 2, checked on the source: data flows one way (fixtures → scorers →
mit_tests → reports → fanout), no import circle among product modules, and torch/transformers only under scorers/glm."""

from __future__ import annotations

import ast
import sys

from tests.conftest import ROOT

LAYERS = ("fixtures", "scorers", "mit_tests", "reports", "fanout")


def import_graph() -> dict[str, set[str]]:
    """``{module: product modules it imports}``, lazy imports inside functions included."""
    files = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for layer in LAYERS for p in (ROOT / layer).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            found.update(n for n in names if n in files and n != module)
        graph[module] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_circle_among_product_modules():
    assert cycles(import_graph()) == []


def test_data_flows_one_way():
    layer = {name: i for i, name in enumerate(LAYERS)}
    backwards = sorted((m, n) for m, imported in import_graph().items() for n in imported
                       if layer[n.split(".")[0]] > layer[m.split(".")[0]])
    assert backwards == [], f"imports of a later layer: {backwards}"
    later = {m: sorted(n for n in imported if n.startswith("scorers"))
             for m, imported in import_graph().items() if m.startswith(("mit_tests", "reports"))}
    assert not any(later.values()), f"mit_tests and reports import nothing from scorers: {later}"


def test_torch_and_transformers_only_under_scorers_glm():
    heavy = ("torch", "transformers")
    offenders = []
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if path.relative_to(ROOT).parts[:2] == ("scorers", "glm"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                offenders += [f"{path.relative_to(ROOT)}:{node.lineno}" for n in names if n.split(".")[0] in heavy]
    assert offenders == []

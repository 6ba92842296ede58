"""Import edges between explorer/ modules and the cycles among them.

`python tools/import_graph.py [repo]` prints the number of edges (module A imports module B,
both in explorer/, at any level of A's code) and every cycle. Used by tests/test_layering.py
and for before/after counts of a restructure.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    """{dotted name: file} for every module under root/explorer."""
    return {module_name(root, p): p for p in sorted((root / "explorer").rglob("*.py"))}


def imported(tree: ast.AST, known: set[str]) -> set[str]:
    """The explorer modules a parsed file imports (`from explorer.x import y` counts y if it is
    a module, else explorer.x)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if full in known:
                    out.add(full)
                elif node.module in known:
                    out.add(node.module)
    return out


def edges(root: Path) -> dict[str, set[str]]:
    mods = modules(root)
    known = set(mods)
    graph = {}
    for name, path in mods.items():
        deps = imported(ast.parse(path.read_text()), known)
        # a package's own __init__ is not an edge worth counting (importing explorer.x.y runs it)
        graph[name] = {d for d in deps if d != name and d != "explorer"}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main(root: str = ".") -> None:
    graph = edges(Path(root).resolve())
    print(f"modules: {len(graph)}  import edges: {sum(map(len, graph.values()))}")
    found = cycles(graph)
    print(f"import cycles: {len(found)}")
    for c in found:
        print("  " + " <-> ".join(c))


if __name__ == "__main__":
    main(*sys.argv[1:])

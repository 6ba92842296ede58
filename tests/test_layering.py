"""The layering rules of DESIGN.md, checked on the source: explorer/ is plain Python outside
explorer/ui/, and no two explorer modules import each other in a circle."""

from __future__ import annotations

import ast

from tests.conftest import ROOT
from tools import import_graph


def _imports(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_explorer_outside_ui_never_imports_streamlit():
    offenders = []
    for path in sorted((ROOT / "explorer").rglob("*.py")):
        if "ui" in path.relative_to(ROOT / "explorer").parts:
            continue
        bad = {n for n in _imports(path) if n == "streamlit" or n.startswith(("streamlit.", "explorer.ui"))}
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_the_rule_itself_sees_a_streamlit_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import streamlit as st\n    from explorer.ui import cached\n")
    assert {"streamlit", "explorer.ui"} <= _imports(sample)


def test_no_import_cycles_between_explorer_modules():
    assert import_graph.cycles(import_graph.edges(ROOT)) == []


def test_the_cycle_finder_finds_a_circle():
    assert import_graph.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]

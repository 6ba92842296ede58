"""A generated script and its two downloads: the .py text and a Jupyter notebook.

Scripts mark notebook cells with `# %%` lines (the convention of VS Code and Jupytext), so the
same text is one file and a notebook of a few cells.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

CELL = "# %%"


@dataclass(frozen=True)
class Script:
    """title: one line for people; code: the whole script; name: the download's file stem."""

    title: str
    code: str
    name: str

    @property
    def py_name(self) -> str:
        return f"{self.name}.py"

    @property
    def ipynb_name(self) -> str:
        return f"{self.name}.ipynb"


def join(*parts: str) -> str:
    """Script text from blocks (each a few lines), blank lines between, one newline at the end."""
    return "\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"


def cells(code: str) -> list[str]:
    """The script cut at its `# %%` lines (marker lines dropped, empty cells left out)."""
    chunks = re.split(rf"^{re.escape(CELL)}.*$\n?", code, flags=re.MULTILINE)
    return [c.strip("\n") for c in chunks if c.strip()]


def notebook(script: Script) -> str:
    """The script as an nbformat 4 notebook (plain JSON): a title cell, then one code cell per
    `# %%` block, unexecuted."""
    def source(text: str) -> list[str]:
        lines = text.split("\n")
        return [line + "\n" for line in lines[:-1]] + [lines[-1]]

    nb_cells = [{"cell_type": "markdown", "metadata": {}, "source": source(f"# {script.title}")}]
    nb_cells += [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                  "source": source(c)} for c in cells(script.code)]
    return json.dumps({
        "cells": nb_cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 4,
    }, indent=1) + "\n"


def literal(value) -> str:
    """A Python literal for a number, a string, None or nested lists/tuples of them."""
    if isinstance(value, float):
        return repr(float(value))
    return repr(value)


def array_literal(a) -> str:
    """A 2-D numpy array as a nested list literal, one row per line, numbers as repr'd floats
    (exact: float32 values survive a round trip through repr of their float64)."""
    rows = [", ".join(repr(float(v)) for v in row) for row in a]
    return "[\n" + "".join(f"    [{r}],\n" for r in rows) + "]"

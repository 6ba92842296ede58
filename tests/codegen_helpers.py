"""Running a generated script the way a student would: a fresh Python process, from the
project folder (where assets/ is), and reading back the numbers it printed."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

from tests.conftest import ROOT


def run_script(code: str, tmp_path, timeout: float = 300) -> str:
    """stdout of `code` saved as a file and run by a new interpreter (fails with its stderr).
    The script may import nothing from CNN Explorer (PYTHONPATH is emptied as well)."""
    no_explorer_imports(code)
    path = tmp_path / "generated.py"
    path.write_text(code)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
    done = subprocess.run([sys.executable, str(path)], cwd=ROOT, env=env, capture_output=True, check=False,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def number(out: str, label: str) -> float:
    """The number printed after `label:`."""
    m = re.search(rf"^{re.escape(label)}:? (\S+)", out, re.MULTILINE)
    assert m, f"{label!r} not printed in:\n{out}"
    return float(m.group(1))


def shape(out: str, label: str) -> tuple[int, ...]:
    m = re.search(rf"^{re.escape(label)}: \(([\d, ]*)\)", out, re.MULTILINE)
    assert m, f"{label!r} not printed in:\n{out}"
    return tuple(int(v) for v in m.group(1).split(",") if v.strip())


def no_explorer_imports(code: str) -> None:
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "explorer" for a in node.names), ast.unparse(node)
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "explorer", ast.unparse(node)

"""pyproject.toml: what `pip install .` installs (the explorer packages, the app's own files,
requirements.txt as the dependencies) and the `cnn-explorer` command's own options."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

from explorer.launch import command
from explorer.launch.version import __version__
from explorer.saved import registry
from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_explorer_package_is_installed():
    """A subpackage added to explorer/ but missing here would be left out of the install."""
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "explorer").rglob("__init__.py")
               if "__pycache__" not in p.parts}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert on_disk <= listed, sorted(on_disk - listed)
    assert {"cnn_explorer_app", "cnn_explorer_app.pages"} <= listed


def test_the_app_files_travel_with_it():
    mapping = PYPROJECT["tool"]["setuptools"]["package-dir"]
    assert mapping == {"cnn_explorer_app": ".", "cnn_explorer_app.pages": "pages"}
    data = PYPROJECT["tool"]["setuptools"]["package-data"]["cnn_explorer_app"]
    assert ".streamlit/config.toml" in data and "assets/samples/*.png" in data
    assert list((ROOT / "assets" / "samples").glob("*.png"))


def test_files_explorer_reads_besides_python_are_installed():
    """include-package-data is off: a .js file the app reads must be listed, or an installed
    app fails on import (explorer/ui/live_map.js)."""
    from fnmatch import fnmatch

    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    for path in (ROOT / "explorer").rglob("*"):
        if path.is_file() and path.suffix not in (".py", ".pyc"):
            package = ".".join(path.parent.relative_to(ROOT).parts)
            assert any(fnmatch(path.name, g) for g in data.get(package, [])), path


def test_requirements_txt_is_the_one_list_of_pins():
    project = PYPROJECT["project"]
    assert "dependencies" not in project and "dependencies" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    pins = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()
            if l.strip() and not l.startswith("#")]
    assert "torch==2.13.0" in pins
    assert not [p for p in pins if p.startswith("-")]  # setuptools reads plain requirement lines only


def test_the_command_and_its_version(capsys):
    assert PYPROJECT["project"]["scripts"] == {"cnn-explorer": "explorer.launch.command:run"}
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "explorer.launch.version.__version__"}
    assert command.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"cnn-explorer {__version__}"
    assert command.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "cnn-explorer train" in out and "streamlit run app.py" in out


def test_train_subcommand_names_itself_in_its_messages(tmp_path, capsys):
    assert command.main(["train", "--dataset", "digits", "--model", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown architecture" in capsys.readouterr().err
    try:
        command.main(["train", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.startswith("usage: cnn-explorer train")


def test_the_installed_command_trains_and_hands_back_its_result(tmp_path):
    """`cnn-explorer train` ends through run(), which leaves without Python's teardown: the JSON
    line, the exit code and the saved model must all be there (the script entry runs `run`)."""
    out = tmp_path / "models"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    code = "import sys; from explorer.launch.command import run; sys.exit(run())"
    proc = subprocess.run([sys.executable, "-c", code, "train", "--dataset", "digits", "--epochs", "1",
                           "--threads", "1", "--out", str(out)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [m.id for m in registry.list_models(out)] == [result["model"]]
    bad = subprocess.run([sys.executable, "-c", code, "train", "--dataset", "digits", "--model", "nope",
                          "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert bad.returncode == 2 and "unknown architecture" in bad.stderr

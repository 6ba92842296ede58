"""`python -m explorer.train --write-script`: the teacher's training script, run for one epoch on
the bundled digits, trains exactly what the app trains (same split, seed, loop and weights)."""

from __future__ import annotations

import json
import re

import pytest
from safetensors.torch import load_file

from explorer.saved import registry
from tests.codegen_helpers import run_script
from tests.test_train_cli import run_cli


@pytest.mark.parametrize("model,extra", [("fastnet", ()), ("course_mlp", ("--schedule", "cosine", "--lr", "0.002"))])
def test_written_script_trains_as_the_app_does(tmp_path, model, extra):
    common = ("--dataset", "digits", "--model", model, "--epochs", "1", "--threads", "1", *extra)
    script = tmp_path / "train_it.py"
    proc = run_cli(*common, "--write-script", str(script))
    assert proc.returncode == 0, proc.stderr
    code = script.read_text()
    ours_path = tmp_path / "ours.safetensors"
    assert 'OUT = "train_it.safetensors"' in code
    out = run_script(code.replace('OUT = "train_it.safetensors"', f'OUT = "{ours_path}"'), tmp_path)
    accuracy = float(re.search(r"^test accuracy: (\S+)$", out, re.MULTILINE).group(1))

    app = run_cli(*common, "--out", str(tmp_path / "models"), "--quiet")
    assert app.returncode == 0, app.stderr
    result = json.loads(app.stdout.strip().splitlines()[-1])
    assert accuracy == pytest.approx(result["test_accuracy"], abs=1e-4)
    # The same weights, layer for layer (the script saves them beside itself).
    saved = load_file(str(registry.get(result["model"], tmp_path / "models").path / "weights.safetensors"))
    ours = load_file(str(ours_path))
    assert ours.keys() == saved.keys()
    for k in saved:
        assert (ours[k] - saved[k]).abs().max().item() < 1e-5, k


def test_a_notebook_is_written_for_an_ipynb_name(tmp_path):
    nb = tmp_path / "lesson.ipynb"
    proc = run_cli("--dataset", "digits", "--model", "fastnet", "--epochs", "2", "--write-script", str(nb))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(nb.read_text())
    assert data["nbformat"] == 4
    assert any("EPOCHS = 2" in "".join(c["source"]) for c in data["cells"])


def test_a_script_that_cannot_be_written_is_refused_with_a_reason(tmp_path):
    from explorer.train.cli import main

    # LeNet-5 does not fit 8x8 digits: the layer that would output nothing is named, no traceback.
    proc = run_cli("--dataset", "digits", "--model", "lenet5", "--write-script", str(tmp_path / "x.py"))
    assert proc.returncode == 2 and "error: " in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.py").exists()
    zip_path = tmp_path / "mine.zip"
    zip_path.write_bytes(b"")
    assert main(["--dataset", str(zip_path), "--write-script", str(tmp_path / "y.py")]) == 2
    assert not (tmp_path / "y.py").exists()

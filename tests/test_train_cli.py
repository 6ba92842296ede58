"""`python -m explorer.train`: headless training that ends with one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from explorer.saved import registry
from tests.conftest import ROOT


def run_cli(*args, env_extra=None):
    env = {**os.environ, "OMP_NUM_THREADS": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "explorer.train", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)


def test_cli_trains_saves_and_prints_json(tmp_path):
    out = tmp_path / "models"
    proc = run_cli("--dataset", "digits", "--epochs", "3", "--seed", "1", "--threads", "1", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert any(l.startswith("epoch   3/3") for l in lines)
    result = json.loads(lines[-1])
    assert {"test_accuracy", "seconds", "params", "model"} <= set(result)
    assert result["test_accuracy"] > 0.8 and result["params"] > 0
    # Each of the three figures is rounded to 0.01 s in the JSON line: up to 0.015 s apart.
    assert 0 < result["seconds_before_training"] <= result["wall_seconds"] - result["seconds"] + 0.015
    saved = registry.list_models(out)
    assert [m.id for m in saved] == [result["model"]]
    assert saved[0].card.architecture == "fastnet" and saved[0].card.epochs == 3


def test_cli_explains_bad_arguments(tmp_path, capsys):
    from explorer.train.cli import main

    assert main(["--dataset", "digits", "--model", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown architecture" in capsys.readouterr().err
    assert main(["--dataset", str(tmp_path / "missing.zip"), "--out", str(tmp_path)]) == 2
    assert "neither" in capsys.readouterr().err
    assert main(["--dataset", "digits", "--label-smoothing", "1.5", "--out", str(tmp_path)]) == 2
    assert "label smoothing must be" in capsys.readouterr().err
    assert registry.list_models(tmp_path) == []


def test_cli_offline_without_the_archive_says_what_to_type(tmp_path):
    """A teacher's machine with no archive and no connection: the advice is a command line
    (train on the bundled digits, or where the zip goes), not the web page's "reload"."""
    data = tmp_path / "data"
    env = {"CNN_EXPLORER_DATA": str(data), "CNN_EXPLORER_SIGN_DIGITS": "",
           # a port nothing listens on: the download fails at once, as with no network
           "CNN_EXPLORER_SIGN_DIGITS_URL": "http://127.0.0.1:9/master.zip"}
    proc = run_cli("--quiet", env_extra=env)
    assert proc.returncode == 2 and proc.stdout == ""
    err = proc.stderr
    assert err.startswith("error: The download failed: no connection")
    assert "python -m explorer.train --dataset digits" in err
    assert f"put the zip in {data}" in err and "CNN_EXPLORER_SIGN_DIGITS" in err
    assert "reload" not in err and "Traceback" not in err
    # The command it suggests works, on the same offline machine.
    suggested = run_cli("--dataset", "digits", "--epochs", "1", "--quiet", env_extra=env)
    assert suggested.returncode == 0, suggested.stderr
    assert json.loads(suggested.stdout.strip().splitlines()[-1])["dataset"] == "digits"


HOSTILE_ARGS = [
    (["--seed", "100000000000000000000000"], "seed must be from 0"),
    (["--seed", "1e23"], "seed must be a whole number"),
    (["--model", "lenet5"], "cannot train on digits (1x8x8 pictures)"),
    (["--out", "/proc/no-models-here"], "cannot save models in /proc/no-models-here"),
    (["--threads", "100000"], "number of threads must be from 1"),
    (["--threads", "0"], "number of threads must be from 1"),
    (["--name", "x" * 100_000], "1 to 80 characters"),
    (["--name", "   "], "1 to 80 characters"),
]


@pytest.mark.parametrize("args, expect", HOSTILE_ARGS, ids=[" ".join(a)[:30] for a, _ in HOSTILE_ARGS])
def test_cli_refuses_hostile_arguments_with_a_sentence_and_exit_code_2(tmp_path, args, expect):
    out = [] if "--out" in args else ["--out", str(tmp_path / "models")]
    proc = run_cli("--dataset", "digits", "--epochs", "1", *out, *args)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert expect in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())

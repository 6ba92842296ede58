"""Crash safety: a process killed with SIGKILL in the middle of saving a model or writing the
dataset cache leaves no half model in the list, and the cache is rebuilt on the next load.

The child (tests/crash_child.py) runs the real save path and stops itself at the exact moment
inside the write (a profiling hook watching the real code), so the kill always lands mid-write.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from explorer.data import signdigits
from explorer.saved import locks, registry
from tests import crash_child
from tests.archive_factory import sign_digits_zip
from tests.conftest import ROOT


def kill_at(point: str, data_dir, archive="") -> None:
    """Run the child until it reports `point`, then SIGKILL it."""
    env = {**os.environ, "CNN_EXPLORER_DATA": str(data_dir), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "tests.crash_child", point, str(archive)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline().strip()
        assert line == f"AT {point}", f"the child did not stop inside the write: {line!r}"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()


@pytest.mark.parametrize("point", ["registry:weights", "registry:rename"])
def test_a_model_killed_mid_save_is_never_listed(point, data_dir):
    model, card = crash_child.small_model()
    complete = registry.save(model, card.replace(name="complete"))
    kill_at(point, data_dir)
    left = [p for p in registry.models_dir().iterdir() if p.name not in (complete.id, locks.LOCK_FILE)]
    assert len(left) == 1 and left[0].name.startswith(".tmp-")  # the half-written folder
    assert (left[0] / registry.WEIGHTS).is_file()
    assert (left[0] / registry.META).exists() == (point == "registry:rename")

    assert [m.id for m in registry.list_models()] == [complete.id]
    assert sorted(p.name for p in registry.models_dir().iterdir()) == sorted([complete.id, locks.LOCK_FILE])  # swept
    loaded, card_back = registry.load(complete.id)
    assert card_back.name == "complete"
    again = registry.save(model, card.replace(name="after the crash"))  # saving still works
    assert {m.name for m in registry.list_models()} == {"complete", "after the crash"}
    assert again.path.is_dir()


def test_a_save_in_progress_in_a_live_process_is_left_alone(data_dir):
    """Sweeping never removes what a running process is still writing."""
    live = registry.models_dir() / f".tmp-{os.getppid()}-someone-else-saving"
    live.mkdir(parents=True)
    registry.list_models()
    assert live.is_dir()


@pytest.mark.parametrize("point", ["cache:mid", "cache:rename"])
def test_a_dataset_cache_killed_mid_write_is_rebuilt(point, data_dir, tmp_path, monkeypatch):
    archive = sign_digits_zip(tmp_path / "signs.zip", per_digit=3)
    kill_at(point, data_dir, archive)
    folder = data_dir / "sign-digits"
    partial = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert len(partial) == 1 and partial[0].stat().st_size > 0
    assert not list(folder.glob("processed-*.npz"))  # nothing under the cache's real name

    cache_name = partial[0].name.split(".")[1] + ".npz"
    if point == "cache:mid":
        # Worse: the partial file under the real name (e.g. a data folder copied while it was
        # being written). It must be detected as incomplete, not read.
        (folder / cache_name).write_bytes(partial[0].read_bytes())
    processed = []
    real_process = signdigits._process
    monkeypatch.setattr(signdigits, "_process", lambda src: processed.append(src) or real_process(src))

    ds = signdigits.load_processed(archive)
    assert processed == [archive]  # rebuilt from the photos
    assert len(ds) == 30 and sorted(set(ds.labels.tolist())) == list(range(10))
    assert sorted(p.name for p in folder.iterdir()) == [cache_name]  # leftover swept
    with np.load(folder / cache_name) as npz:
        assert len(npz["pixels"]) == 30
    assert len(signdigits.load_processed(archive)) == 30 and processed == [archive]  # read, not rebuilt

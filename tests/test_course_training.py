"""The course's CNN on the Train page: the course's schedule by default, and its seconds per
epoch beside the course's quoted 16-17 s."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from explorer.train import pace
from tests.conftest import ROOT


def test_pace_from_cumulative_epoch_ends():
    p = pace.from_history([{"seconds": 10.0}, {"seconds": 21.0}, {"seconds": 30.0}])
    assert p.per_epoch == (10.0, 11.0, 9.0) and p.median == 10.0
    text = p.sentence("CPU")
    assert "**10.0 s**" in text and "16–17 s" in text and "quoted from the course" in text
    assert "1.6 times faster than" in text  # 16.5 / 10
    assert "2.0 times the time of" in pace.Pace((33.0,)).sentence("CPU")
    assert pace.from_history([]) is None


def open_train(monkeypatch, archive) -> AppTest:
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(archive))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    return at


def test_course_cnn_defaults_to_the_courses_schedule(data_dir, monkeypatch, sign_digits_archive):
    at = open_train(monkeypatch, sign_digits_archive)
    at.radio(key="train_dataset").set_value("sign-digits").run()
    at.selectbox(key="train_architecture").set_value("course_cnn").run()
    assert not at.exception and not at.error
    assert at.slider(key="train_epochs_course_cnn").value == 10
    assert at.select_slider(key="train_batch_course_cnn").value == 128
    assert at.select_slider(key="train_lr_course_cnn").value == 0.001
    assert at.selectbox(key="train_optimizer_course_cnn").value == "adam"
    assert not at.toggle(key="train_augment_course_cnn").value


@pytest.mark.timeout(900)
def test_course_cnn_run_shows_its_seconds_per_epoch_beside_the_courses(data_dir, monkeypatch, sign_digits_archive):
    from explorer.ui import cached

    at = open_train(monkeypatch, sign_digits_archive)
    at.radio(key="train_dataset").set_value("sign-digits").run()
    at.selectbox(key="train_architecture").set_value("course_cnn").run()
    at.slider(key="train_epochs_course_cnn").set_value(1).run()
    at.button(key="train_start").click().run()
    assert cached.job_manager().wait_all(850)
    at.run()
    assert not at.exception and not at.error
    info = " ".join(i.value for i in at.info)
    assert "Seconds per epoch here" in info and "16–17 s" in info


def test_cli_prints_course_cnn_seconds_per_epoch_beside_the_course(tmp_path):
    """The CLI trains course_cnn with the course's schedule and prints its pace beside 16-17 s
    (a tiny zip of hand-sign-like photos keeps it to seconds)."""
    import json
    import os
    import subprocess
    import sys

    from tests.archive_factory import class_zip, png_bytes

    archive = class_zip({f"{d}/img_{k}.png": png_bytes(20 * d + k, size=(64, 64)) for d in range(10) for k in range(6)},
                        tmp_path / "signs.zip")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "explorer.train", "--dataset", str(archive), "--model", "course_cnn",
                           "--epochs", "2", "--threads", "1", "--out", str(tmp_path / "models")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stderr
    assert "training 4,970,122 parameters" in proc.stdout
    assert "Seconds per epoch here" in proc.stdout and "16–17 s" in proc.stdout
    assert json.loads(proc.stdout.strip().splitlines()[-1])["architecture"] == "course_cnn"

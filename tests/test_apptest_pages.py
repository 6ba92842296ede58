"""AppTest: every page of the app runs without an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from explorer.ui import device_probe, navigation
from tests.page_helpers import APP

PAGES = [p for section in navigation.PAGES for p, *_ in navigation.existing(section)]


@pytest.mark.parametrize("path", PAGES)
def test_page_runs_without_exception(path):
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_home_lists_device_and_datasets():
    device_probe.line(wait=60)  # a server that has been up a moment: the probe is done
    at = AppTest.from_file(APP, default_timeout=60).run()
    text = " ".join(m.value for m in at.markdown)
    assert "Training runs on" in text and ("CPU" in text or "GPU" in text)
    assert "Handwritten digits" in text and "bundled with scikit-learn" in text


def test_sidebar_names_the_device_and_the_version():
    """The README says to look here to confirm training runs on the GPU (or the CPU)."""
    from explorer.launch.version import __version__

    device_probe.line(wait=60)
    at = AppTest.from_file(APP, default_timeout=60).run()
    captions = [c.value for c in at.sidebar.caption]
    assert any(c.startswith("Training device: **") and ("CPU" in c or "GPU" in c) for c in captions), captions
    assert f"CNN Explorer {__version__}" in captions


def test_home_does_not_show_the_servers_dataset_path(tmp_path, monkeypatch):
    from tests.archive_factory import sign_digits_zip

    (tmp_path / "secret-teacher-folder").mkdir()
    archive = sign_digits_zip(tmp_path / "secret-teacher-folder" / "signs.zip")
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(archive))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    shown = " ".join(str(e.value) for kind in (at.markdown, at.caption, at.text, at.info) for e in kind)
    assert "Sign Language Digits" in shown and "ready" in shown
    assert "secret-teacher-folder" not in shown and str(tmp_path) not in shown

"""Shared test setup: offline, few threads, a private data folder, the real archive if present."""

from __future__ import annotations

import os
from pathlib import Path

# Two cores are shared by the tests, the Streamlit server and Chromium: keep torch small.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("CNN_EXPLORER_THREADS", "1")
# No background warm-up in the suite's app sessions: it would compute beside the tests that count
# what a page computes (tests/test_class_warm_up.py starts it itself).
os.environ.setdefault("CNN_EXPLORER_WARM_UP", "0")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# CI's copy of the archive, beside the clone (the app itself never looks there).
SHARED_DATA = ROOT.parent / "shared" / "data"
# The data folder the app would use, read before the tests point CNN_EXPLORER_DATA elsewhere.
USER_DATA = Path(os.environ.get("CNN_EXPLORER_DATA") or ROOT / "data")
HOW_TO_GET_IT = (
    "the Sign Language Digits archive is not on this machine: download "
    "https://github.com/ardamavi/Sign-Language-Digits-Dataset/archive/refs/heads/master.zip "
    "(17 MB) into data/, or set CNN_EXPLORER_SIGN_DIGITS to the zip, and run the tests again"
)


def _find_real_archive() -> Path | None:
    """Where the app finds the archive ($CNN_EXPLORER_SIGN_DIGITS, then the data folder, by
    the app's own lookup), else CI's ../shared/data; None when it is nowhere."""
    from explorer.data import signdigits

    env = os.environ.get(signdigits.ENV)
    if env:
        path = Path(env).expanduser()
        return path if path.exists() else None
    for folder in (USER_DATA, SHARED_DATA):
        found = signdigits.in_data_folder(folder)
        if found is not None:
            return found
    return None


# Looked up once, at start-up: tests set CNN_EXPLORER_SIGN_DIGITS to tiny archives of their own.
_REAL_ARCHIVE = _find_real_archive()


def real_archive() -> Path | None:
    """The real Sign Language Digits archive (a zip or an extracted folder), or None.

    The one lookup every test uses: a test that needs the archive takes the
    `sign_digits_archive` fixture (which skips, saying how to get it, when there is none)."""
    return _REAL_ARCHIVE


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once():
    """Every new AppTest scans all installed packages for Streamlit components (about 0.3 s,
    nearly all of a first run of app.py; the suite makes hundreds). The installed packages do
    not change during a session, so the tests scan once and hand every AppTest that result.
    Servers started by the tests are other processes and scan for themselves, as the app does.
    Without Streamlit (a GPU machine running only tests/test_gpu.py, bench/device_check.sh) there
    is nothing to scan."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        yield
        return

    found = manifest_scanner.scan_component_manifests()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(manifest_scanner, "scan_component_manifests", lambda max_workers=None: list(found))
        yield


@pytest.fixture(scope="session", autouse=True)
def _private_data_dir(tmp_path_factory):
    """Tests never write into the repository's data/ folder."""
    import torch

    torch.set_num_threads(1)
    # Every test starts from the same place whether or not the user set these: a private data
    # folder and no archive configured (tests that want the real one ask for it).
    saved = {k: os.environ.get(k) for k in ("CNN_EXPLORER_DATA", "CNN_EXPLORER_SIGN_DIGITS")}
    os.environ["CNN_EXPLORER_DATA"] = str(tmp_path_factory.mktemp("data"))
    os.environ.pop("CNN_EXPLORER_SIGN_DIGITS", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh, empty data folder for one test (and no Sign Language Digits configured)."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("CNN_EXPLORER_DATA", str(d))
    monkeypatch.delenv("CNN_EXPLORER_SIGN_DIGITS", raising=False)
    return d


@pytest.fixture(scope="session")
def sign_digits_archive() -> Path:
    """The real archive, or skip saying how to get it (it is never part of the repository)."""
    path = real_archive()
    if path is None:
        pytest.skip(HOW_TO_GET_IT)
    return path


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole run: a second sync_playwright() while one is running
    fails ("Sync API inside the asyncio loop"), so every test that needs its own Chromium (a fake
    camera file, a lecture hall) launches it from this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(config, items):
    """Every test that drives Chromium (it needs the Playwright driver) is marked `browser`.
    The README's command runs the others on two processes first, then these one at a time: they
    share one server, and on a 2-core machine a browser test beside another test's work waits
    past its timeouts."""
    for item in items:
        if "playwright_driver" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)

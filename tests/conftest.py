"""Shared test setup: offline, few threads, a private data folder, the real archive if present."""

from __future__ import annotations

import os
from pathlib import Path

# Two cores are shared by the tests, the Streamlit server and Chromium: keep torch small.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("CNN_EXPLORER_THREADS", "1")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED_ARCHIVE = ROOT.parent / "shared" / "data" / "sign-language-digits-master.zip"


def real_archive() -> Path | None:
    """The real Sign Language Digits zip: $CNN_EXPLORER_SIGN_DIGITS or ../shared/data."""
    env = os.environ.get("CNN_EXPLORER_SIGN_DIGITS")
    if env and Path(env).exists():
        return Path(env)
    return SHARED_ARCHIVE if SHARED_ARCHIVE.exists() else None


@pytest.fixture(scope="session", autouse=True)
def _private_data_dir(tmp_path_factory):
    """Tests never write into the repository's data/ folder."""
    import torch

    torch.set_num_threads(1)
    old = os.environ.get("CNN_EXPLORER_DATA")
    os.environ["CNN_EXPLORER_DATA"] = str(tmp_path_factory.mktemp("data"))
    yield
    if old is None:
        os.environ.pop("CNN_EXPLORER_DATA", None)
    else:
        os.environ["CNN_EXPLORER_DATA"] = old


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
    """The real archive, or skip (it lives outside the repository, in ../shared/data)."""
    path = real_archive()
    if path is None:
        pytest.skip("the Sign Language Digits archive is not on this machine")
    return path

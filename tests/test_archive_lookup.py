"""The tests find the real Sign Language Digits archive wherever the app finds it (and in CI's
../shared/data), and a test that needs it is skipped, saying how to get it, when it is nowhere."""

from __future__ import annotations

import zipfile

import pytest

from explorer.data import datasets, signdigits
from tests import conftest
from tests.archive_factory import TOP, sign_digits_zip


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No variable, an empty data folder, no ../shared: as on a fresh clone."""
    monkeypatch.delenv("CNN_EXPLORER_SIGN_DIGITS", raising=False)
    monkeypatch.setattr(conftest, "USER_DATA", tmp_path / "user-data")
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path / "shared" / "data")
    (tmp_path / "user-data").mkdir()
    return tmp_path


def test_nowhere_means_none(nowhere):
    assert conftest._find_real_archive() is None


@pytest.mark.parametrize("name", ["Sign-Language-Digits-Dataset-master.zip",
                                  "sign-digits/sign-language-digits.zip"])
def test_a_zip_in_the_data_folder_is_found_as_the_app_finds_it(nowhere, monkeypatch, name):
    """The README's way: put the zip in data/ by hand (or the app's own download is there)."""
    path = nowhere / "user-data" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    sign_digits_zip(path)
    assert conftest._find_real_archive() == path
    monkeypatch.setenv("CNN_EXPLORER_DATA", str(nowhere / "user-data"))
    assert signdigits.locate() == path  # the app, looking in the same folder
    assert len(datasets.load("sign-digits", download_missing=False)) == 30


def test_an_extracted_folder_in_the_data_folder_is_found(nowhere):
    with zipfile.ZipFile(sign_digits_zip(nowhere / "a.zip")) as zf:
        zf.extractall(nowhere / "user-data" / "sign-language-digits")
    assert conftest._find_real_archive() == nowhere / "user-data" / "sign-language-digits"
    assert (conftest._find_real_archive() / TOP / "Dataset" / "0").is_dir()


def test_the_variable_comes_first_then_the_data_folder_then_shared(nowhere, monkeypatch):
    (nowhere / "shared" / "data").mkdir(parents=True)
    shared = sign_digits_zip(nowhere / "shared" / "data" / "sign-language-digits-master.zip")
    assert conftest._find_real_archive() == shared
    mine = sign_digits_zip(nowhere / "user-data" / "sign-language-digits.zip")
    assert conftest._find_real_archive() == mine
    elsewhere = sign_digits_zip(nowhere / "elsewhere.zip")
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(elsewhere))
    assert conftest._find_real_archive() == elsewhere


def test_without_it_the_skip_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(conftest, "_REAL_ARCHIVE", None)
    with pytest.raises(pytest.skip.Exception) as skipped:
        conftest.sign_digits_archive.__wrapped__()
    reason = str(skipped.value)
    assert signdigits.URL in reason and "data/" in reason and "CNN_EXPLORER_SIGN_DIGITS" in reason

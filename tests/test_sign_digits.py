"""Sign Language Digits: finding the archive, preprocessing, the cache, the download."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile

import numpy as np
import pytest
from PIL import Image

from explorer.data import datasets, signdigits
from tests.archive_factory import TOP, sign_digits_zip


@pytest.fixture
def tiny_zip(tmp_path):
    return sign_digits_zip(tmp_path / "sign-digits.zip")


def test_tiny_archive_via_variable(tiny_zip, data_dir, monkeypatch):
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(tiny_zip))
    ds = datasets.load("sign-digits")
    assert ds.images.shape == (30, 1, 64, 64) and ds.images.dtype == np.float32
    assert ds.labels.dtype == np.int64 and ds.classes == [str(d) for d in range(10)]
    assert 0.0 <= ds.images.min() and ds.images.max() <= 1.0
    # Deterministic order: label, then file name (the zip stores them in reverse).
    assert ds.meta["files"][:3] == ["0/IMG_00.JPG", "0/IMG_01.JPG", "0/IMG_02.JPG"]
    assert list(ds.labels) == sorted(ds.labels)
    # Brightness encodes 20*d + k: preprocessing kept each photo with its own label.
    means = ds.images.mean(axis=(1, 2, 3)) * 255
    expected = [20 * d + k for d in range(10) for k in range(3)]
    assert np.allclose(means, expected, atol=3)
    assert any("2,062" in n for n in ds.notes)  # the count differs from the real dataset


def test_second_load_reads_the_cache(tiny_zip, data_dir, monkeypatch):
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(tiny_zip))
    first = datasets.load("sign-digits")
    caches = list((data_dir / "sign-digits").glob("processed-*.npz"))
    assert len(caches) == 1

    def no_processing(src):
        raise AssertionError("the archive was decoded again")

    monkeypatch.setattr(signdigits, "_process", no_processing)
    second = datasets.load("sign-digits")
    np.testing.assert_array_equal(first.images, second.images)
    np.testing.assert_array_equal(first.labels, second.labels)


def test_damaged_cache_is_rebuilt(tiny_zip, data_dir, monkeypatch):
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(tiny_zip))
    datasets.load("sign-digits")
    cache = next((data_dir / "sign-digits").glob("processed-*.npz"))
    cache.write_bytes(cache.read_bytes()[:1000])  # as if a crash cut the write short
    assert datasets.load("sign-digits").images.shape == (30, 1, 64, 64)
    assert np.load(cache, allow_pickle=False)["pixels"].shape == (30, 64, 64)


def test_changed_archive_is_processed_again(tmp_path, data_dir, monkeypatch):
    path = sign_digits_zip(tmp_path / "a.zip", per_digit=2)
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(path))
    assert len(datasets.load("sign-digits")) == 20
    sign_digits_zip(path, per_digit=4)
    assert len(datasets.load("sign-digits")) == 40


def test_corrupt_photos_are_reported_and_skipped(tmp_path, data_dir, monkeypatch):
    broken = {f"{TOP}/Dataset/3/IMG_bad.JPG": b"\xff\xd8\xff\xe0 not really a jpeg",
              f"{TOP}/Dataset/4/IMG_empty.JPG": b""}
    path = sign_digits_zip(tmp_path / "s.zip", extra=broken)
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(path))
    ds = datasets.load("sign-digits")
    assert len(ds) == 30
    assert len(ds.skipped) == 2 and any("3/IMG_bad.JPG" in s for s in ds.skipped)
    assert any("damaged" in n for n in ds.notes)


def test_missing_digit_is_refused(tmp_path, data_dir, monkeypatch):
    path = sign_digits_zip(tmp_path / "s.zip", digits=[d for d in range(10) if d != 7])
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(path))
    with pytest.raises(datasets.DatasetError, match="digit.*7"):
        datasets.load("sign-digits")


def test_not_a_zip_is_refused(tmp_path, data_dir, monkeypatch):
    path = tmp_path / "sign.zip"
    path.write_bytes(b"<html>404 Not Found</html>")
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(path))
    with pytest.raises(datasets.DatasetError, match="not a readable zip"):
        datasets.load("sign-digits")


def test_variable_pointing_nowhere(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(tmp_path / "nope.zip"))
    with pytest.raises(datasets.DatasetError, match="does not exist"):
        datasets.load("sign-digits")


def test_extracted_folder(tiny_zip, tmp_path, data_dir, monkeypatch):
    with zipfile.ZipFile(tiny_zip) as zf:
        zf.extractall(tmp_path / "unpacked")
    for root in (tmp_path / "unpacked", tmp_path / "unpacked" / TOP / "Dataset"):
        monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(root))
        ds = datasets.load("sign-digits")
        assert ds.images.shape == (30, 1, 64, 64)
        assert ds.meta["files"][0] == "0/IMG_00.JPG"


def test_zip_put_in_data_folder_by_hand(tmp_path, data_dir):
    sign_digits_zip(data_dir / "Sign-Language-Digits-Dataset-master.zip")
    assert datasets.available()["sign-digits"].endswith("Sign-Language-Digits-Dataset-master.zip")
    assert len(datasets.load("sign-digits", download_missing=False)) == 30


def test_missing_without_download_says_what_to_do(data_dir):
    assert datasets.available()["sign-digits"] is None
    with pytest.raises(datasets.DatasetUnavailable) as err:
        datasets.load("sign-digits", download_missing=False)
    msg = str(err.value)
    assert str(data_dir) in msg and "CNN_EXPLORER_SIGN_DIGITS" in msg


@pytest.fixture
def http_server(tmp_path):
    """A loopback web server serving tmp_path/www."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *a: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield www, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_download_once_with_progress(http_server, data_dir, monkeypatch):
    www, base = http_server
    sign_digits_zip(www / "master.zip")
    monkeypatch.setattr(signdigits, "URL", f"{base}/master.zip")
    seen = []
    ds = datasets.load("sign-digits", progress=lambda done, total: seen.append((done, total)))
    assert len(ds) == 30
    size = (www / "master.zip").stat().st_size
    assert seen[-1] == (size, size)
    assert signdigits.download_path().read_bytes() == (www / "master.zip").read_bytes()
    assert not [p for p in signdigits.download_path().parent.iterdir() if ".part" in p.name]
    (www / "master.zip").unlink()  # a second load must not download again
    assert len(datasets.load("sign-digits")) == 30


@pytest.mark.parametrize("url", ["/missing.zip", "http://127.0.0.1:9/refused.zip"])
def test_failed_download_explains_and_leaves_nothing(http_server, data_dir, monkeypatch, url):
    _, base = http_server
    monkeypatch.setattr(signdigits, "URL", base + url if url.startswith("/") else url)
    with pytest.raises(datasets.DatasetUnavailable) as err:
        datasets.load("sign-digits")
    msg = str(err.value)
    assert "download failed" in msg and str(data_dir) in msg and "bundled" in msg
    assert not signdigits.download_path().exists()
    folder = signdigits.download_path().parent
    assert not folder.exists() or not any(folder.iterdir())
    assert len(datasets.load("digits")) == 1797  # the app keeps working


def test_real_archive(sign_digits_archive, data_dir, monkeypatch):
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(sign_digits_archive))
    ds = datasets.load("sign-digits")
    assert ds.images.shape == (2062, 1, 64, 64) and ds.images.dtype == np.float32
    assert ds.labels.shape == (2062,) and ds.labels.dtype == np.int64
    assert ds.classes == [str(d) for d in range(10)]
    assert min(ds.counts().values()) >= 204 and max(ds.counts().values()) <= 208
    assert ds.notes == () and ds.skipped == ()
    assert 0.0 <= ds.images.min() < 0.1 and 0.9 < ds.images.max() <= 1.0
    # The course's preprocessing of the first photo: grayscale, 64x64 Lanczos, / 255.
    first = ds.meta["files"][0]  # "0/IMG_....JPG"
    if sign_digits_archive.is_dir():  # an extracted copy in data/ is found as well
        digit, name = first.split("/")
        fh = open(next(p for p in sign_digits_archive.rglob(name) if p.parent.name == digit), "rb")
    else:
        fh = zipfile.ZipFile(sign_digits_archive).open(f"{TOP}/Dataset/{first}")
    with fh:
        ref = np.asarray(Image.open(fh).convert("L").resize((64, 64), Image.Resampling.LANCZOS)) / 255.0
    np.testing.assert_allclose(ds.images[0, 0], ref, atol=1e-6)
    train, test = datasets.split(ds)
    assert (len(train), len(test)) == (1649, 413)


def test_own_cache_folder_is_not_mistaken_for_the_dataset(tiny_zip, data_dir, monkeypatch):
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(tiny_zip))
    datasets.load("sign-digits")  # leaves data/sign-digits/processed-*.npz
    monkeypatch.delenv("CNN_EXPLORER_SIGN_DIGITS")
    assert datasets.available()["sign-digits"] is None
    with zipfile.ZipFile(tiny_zip) as zf:
        zf.extractall(data_dir / "sign-language-digits-unpacked")
    assert datasets.available()["sign-digits"].endswith("sign-language-digits-unpacked")

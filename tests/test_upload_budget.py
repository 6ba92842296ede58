"""A whole upload is bounded, not just each file: decoded pixels, seconds and the dataset's size;
pictures are decoded and shrunk one at a time; big pictures are decoded small where the format
allows; 16-bit pictures are stretched without whole-picture float copies."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from explorer import limits
from explorer.data import datasets, images
from explorer.data.budget import BudgetExceeded, DecodeBudget
from tests import hostile_corpus as hc
from tests.archive_factory import class_zip
from tests.conftest import ROOT

PEAK_CHILD = r"""
import io, json, resource, sys
from explorer.data import datasets
from tests import hostile_corpus as hc
data = hc.many_big_pictures(int(sys.argv[1]))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
buf = io.BytesIO(data); buf.name = "big.zip"
ds = datasets.from_zip(buf, min_per_class=2)
print(json.dumps({"n": len(ds), "grew_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024}))
"""


def test_big_pictures_are_decoded_and_shrunk_one_at_a_time():
    """Four 40-megapixel pictures (160 MB each decoded) fit the budget; the process never holds
    more than about one of them (the old loader kept all four: 640 MB and more)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", PEAK_CHILD, "4"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert report["n"] == 4
    assert report["grew_mb"] < 300, report


def test_the_budget_refuses_before_decoding_the_picture_that_does_not_fit():
    budget = DecodeBudget(pixels=3 * 40_000_000)
    with pytest.raises(datasets.DatasetError, match="more than 120 megapixels") as info:
        datasets.from_zip(io.BytesIO(hc.many_big_pictures(10)), budget=budget)
    assert "picture 4 alone has 40.0" in str(info.value)
    assert budget.pictures == 4  # the fourth was counted, not decoded; the rest never opened


def test_tiny_pictures_count_at_least_what_they_become():
    budget = DecodeBudget()
    datasets.from_zip(class_zip(hc.five_each()), budget=budget)
    assert budget.pictures == 10 and budget.spent == 10 * limits.PICTURE_MIN_PIXELS  # 20x20 each


def test_an_upload_that_takes_too_long_is_stopped():
    with pytest.raises(datasets.DatasetError, match="took more than 0 seconds"):
        datasets.from_zip(class_zip(hc.five_each()), budget=DecodeBudget(seconds=0.0))


def test_a_dataset_too_large_for_a_session_is_refused_with_the_numbers():
    with pytest.raises(datasets.DatasetError, match="at most 3,333 colour or 10,000 grey pictures of 64 x 64"):
        datasets.from_zip(io.BytesIO(hc.many_tiny_pictures(3_400, "RGB")))


def test_the_budget_error_is_a_sentence():
    with pytest.raises(BudgetExceeded) as info:
        DecodeBudget(pixels=10).charge(5000)
    assert str(info.value)[0].isupper() and str(info.value).endswith(".")


def test_a_big_jpeg_is_decoded_small_when_the_caller_shrinks_it():
    data = hc.encode(hc.photo(3000, 2000), "JPEG", quality=90)
    img = images.decode(data, max_side=64)
    assert img.info["original_size"] == (3000, 2000)
    assert 128 <= max(img.size) < 4 * 64 * 2 and img.mode == "RGB"
    full = images.decode(data)
    assert full.size == (3000, 2000)
    # the same picture either way, once brought to the model's size
    a, b = images.to_array(img, (64, 64), 3), images.to_array(full, (64, 64), 3)
    assert np.abs(a - b).mean() < 0.01


def old_stretch(img: Image.Image) -> np.ndarray:
    """The pre-#19 conversion (whole-picture float64), as the reference for the values."""
    arr = np.asarray(img, dtype=np.float64)
    finite = arr[np.isfinite(arr)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    scaled = np.zeros_like(arr) if hi <= lo else (np.nan_to_num(arr, nan=lo) - lo) / (hi - lo) * 255.0
    return np.clip(scaled, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("make", [
    lambda: Image.fromarray(np.linspace(300, 60000, 700 * 300).reshape(300, 700).astype(np.uint16)),
    lambda: Image.fromarray(np.linspace(-5e4, 7e5, 600 * 300).reshape(300, 600).astype(np.int32)),
    lambda: Image.fromarray(np.where(np.arange(600 * 300).reshape(300, 600) % 7 == 0, np.nan,
                                     np.linspace(-1, 3, 600 * 300).reshape(300, 600)).astype(np.float32)),
], ids=["16-bit", "32-bit", "float with NaN"])
def test_high_depth_pictures_keep_their_values(make):
    src = make()
    data = hc.encode(src, "PNG" if src.mode.startswith("I;16") else "TIFF")
    decoded = images.decode(data)
    assert decoded.mode == "L"
    assert np.array_equal(np.asarray(decoded), old_stretch(Image.open(io.BytesIO(data))))

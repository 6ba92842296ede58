"""The course's pooling claims, checked: windows per pixel (not 'every pixel in two windows'),
AlexNet's quoted gain, the layer's other names, and 5x5 pooling with stride 1."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from explorer.learn import coverage
from tests.conftest import ROOT


def brute_force(h: int, w: int, size: int, stride: int) -> np.ndarray:
    """Count windows per pixel with torch: unfold an index picture and count each index."""
    idx = torch.arange(h * w, dtype=torch.float32).view(1, 1, h, w)
    cols = torch.nn.functional.unfold(idx, size, stride=stride)  # (1, size*size, windows)
    return np.bincount(cols.long().ravel().numpy(), minlength=h * w).reshape(h, w)


@pytest.mark.parametrize("h,w,size,stride", [(9, 9, 3, 2), (8, 8, 3, 2), (10, 7, 2, 2), (13, 13, 5, 1)])
def test_windows_per_pixel_matches_torch(h, w, size, stride):
    np.testing.assert_array_equal(coverage.windows_per_pixel(h, w, size, stride), brute_force(h, w, size, stride))


def test_overlapping_pooling_does_not_read_every_pixel_twice():
    c = coverage.coverage(9, 9, 3, 2)
    assert set(c.histogram) == {1, 2, 4}  # 1, 2 or 4 windows; never "two for every pixel"
    # along one axis [1, 1, 2, 1, 2, 1, 2, 1, 1]: six ones and three twos
    assert c.histogram == {1: 6 * 6, 2: 2 * 6 * 3, 4: 3 * 3}
    assert coverage.coverage(8, 8, 3, 2).histogram[0] == 15  # the last row and column: no window


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    app.switch_page("pages/pooling.py").run()
    assert not app.exception
    return app


def text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "info") for e in getattr(at, kind))


def test_page_counts_windows_quotes_alexnet_and_corrects_the_stride_one_claim(at):
    t = text(at)
    assert "every pixel in two windows" not in t
    assert "do **not** read every pixel twice" in t
    assert "9x9" in t and coverage.coverage(9, 9, 3, 2).sentence() in t
    assert "0.4%" in t and "0.3%" in t and "quoted from the course" in t
    assert "downsampling" in t and "subsampling" in t
    # the default input is 256x256: 5x5 stride 1 -> 252x252, stride 5 -> 51x51
    assert "**252x252** (1.03 times fewer values)" in t and "51x51, 25.2 times fewer" in t


def test_convolution_is_shift_equivariant_and_pooling_not_rotation_invariant():
    from explorer.learn import equivariance, kernels

    x = np.random.default_rng(0).random((24, 24))
    k = kernels.make("sobel x", 3)
    for s in (1, 4, 7):
        assert equivariance.shift_equivariance(x, k, s).equal
    rows = equivariance.rotation(x, k, [0, 10])
    assert rows[0].raw == rows[0].pooled == 0
    assert rows[1].pooled > 0.2  # a 10° turn changes the pooled map a lot: no rotation invariance


def test_page_shows_equivariance_and_measures_rotation(at):
    t = text(at)
    assert "f(g(x)) = g(f(x))" in t and "differ by at most **0**" in t
    table = [d.value for d in at.dataframe if "rotation" in d.value.columns][0]
    assert list(table["rotation"])[:2] == ["2°", "5°"]
    assert "does not make a network rotation-invariant" in t
    at.slider(key="pooling_equi_shift").set_value(9).run()
    assert not at.exception and "shift by 9" in " ".join(str(i.proto) for i in at.get("image"))

"""Samples, rendering helpers and the device line."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from explorer.data import samples
from explorer.decimals import fixed
from explorer.pictures import render
from explorer.train import device


@pytest.mark.parametrize("name", list(samples.DRAWN))
def test_committed_samples_match_the_generator(name):
    with Image.open(samples.SAMPLE_DIR / f"{name}.png") as committed:
        np.testing.assert_array_equal(np.asarray(committed.convert("L")), np.asarray(samples.draw(name)))


def test_every_sample_loads_with_a_description():
    for name in samples.names():
        img = samples.load(name)
        assert img.mode in ("L", "RGB") and min(img.size) >= 200
        assert samples.describe(name)
    assert samples.load("china").size == (640, 427)
    with pytest.raises(KeyError):
        samples.load("nope")


def test_samples_have_the_structure_they_promise():
    stripes = np.asarray(samples.load("stripes"), np.float64)
    top, bottom = stripes[:128], stripes[128:]
    assert np.abs(np.diff(top, axis=1)).sum() > 0 and np.abs(np.diff(top, axis=0)).sum() == 0
    assert np.abs(np.diff(bottom, axis=0)).sum() > 0 and np.abs(np.diff(bottom, axis=1)).sum() == 0
    text = np.asarray(samples.load("text"))
    assert (text < 60).mean() > 0.03  # dark letters on a light page


def test_mosaic_layout():
    imgs = np.stack([np.full((1, 4, 4), v, np.float32) for v in (0.0, 0.5, 1.0)])
    out = render.mosaic(imgs, ncols=2, pad=1, scale=2)
    assert out.dtype == np.uint8 and out.shape == (2 * 9 + 1, 2 * 9 + 1)
    assert out[1, 1] == 0 and out[1, 10] == 128 and out[10, 1] == 255
    rgb = render.mosaic(np.zeros((2, 3, 5, 5), np.float32), ncols=5)
    assert rgb.shape == (9, 16, 3)


def test_tiles_keep_pixels_sharp_and_gaps_in_the_background():
    tiles = np.stack([np.full((2, 2, 3), v, np.uint8) for v in (10, 20, 30)])
    out = render.tile(tiles, ncols=2, scale=3, pad=2, background=220)
    assert out.shape == (2 * 8 + 2, 2 * 8 + 2, 3)
    assert (out[2:8, 2:8] == 10).all() and (out[2:8, 10:16] == 20).all() and (out[10:16, 2:8] == 30).all()
    assert (out[:2] == 220).all() and (out[:, 8:10] == 220).all() and (out[10:, 10:] == 220).all()


def test_grey_becomes_rgb_and_colour_stays():
    grey = np.arange(6, dtype=np.uint8).reshape(2, 3)
    rgb = render.grey_to_rgb(grey)
    assert rgb.shape == (2, 3, 3) and (rgb == grey[..., None]).all()
    colour = np.zeros((2, 3, 3), np.uint8)
    assert render.as_rgb(colour) is colour and render.as_rgb(grey).shape == (2, 3, 3)


def test_device_line_names_the_device_and_threads():
    assert device.set_threads(1) == 1
    line = device.describe()
    assert device.pick().type in ("cpu", "cuda", "mps")
    if device.pick().type == "cpu":
        assert line.startswith("CPU, 1 thread")


@pytest.mark.parametrize("value, decimals, sign, text", [
    (-0.0004, 2, "", "0.00"), (0.0, 2, "+", "0.00"), (0.004, 2, "+", "0.00"), (-0.004, 2, "+", "0.00"),
    (0.006, 2, "+", "+0.01"), (-0.006, 2, "+", "-0.01"), (-1.25, 1, "", "-1.2"), (-0.4, 0, "", "0"),
    (np.float32(-3.0), 2, "", "-3.00")])
def test_a_number_that_rounds_to_zero_has_no_sign(value, decimals, sign, text):
    assert fixed(value, decimals, sign) == text

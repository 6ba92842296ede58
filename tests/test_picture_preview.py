"""Section 1 of Convolution and Pooling shows the chosen picture small, beside its controls: a
laptop's first screen (the result is below its fold) shows what the page works on."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.pictures import render
from tests.page_helpers import APP, captions, ok, open_page

PAGES = [("pages/convolution.py", "convolution"), ("pages/pooling.py", "pooling")]


def test_a_big_picture_is_shrunk_and_keeps_its_shape():
    img = np.zeros((300, 600, 3), np.uint8)
    img[:, 300:] = 200  # right half light
    small = render.thumbnail(img, 128)
    assert small.shape == (64, 128, 3)
    assert small[:, :63].max() == 0 and small[:, 65:].min() == 200  # the halves stay where they were


def test_a_small_picture_is_enlarged_by_whole_pixels():
    digit = np.arange(64, dtype=np.uint8).reshape(8, 8)
    big = render.thumbnail(digit, 128)
    assert big.shape == (128, 128)
    assert (big[::16, ::16] == digit).all() and (big[16:32, 16:32] == digit[1, 1]).all()  # sharp 16x16 squares
    assert render.thumbnail(np.zeros((100, 120), np.uint8), 128).shape == (100, 120)  # already near: as it is


@pytest.mark.parametrize("path, prefix", PAGES)
def test_the_preview_shows_the_chosen_picture(path, prefix):
    at = open_page(path, timeout=120)
    assert captions(at)[0] == "256x256 pixels"  # the sample, the page's first picture
    at.radio(key=f"{prefix}_source").set_value("dataset").run()
    ok(at)
    assert captions(at)[0] == "8x8 pixels"  # a handwritten digit


@pytest.mark.parametrize("path, prefix", PAGES)
def test_presenter_mode_has_no_preview(path, prefix):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["present"] = "1"  # a teacher's link
    at.run()
    at.switch_page(path).run()
    ok(at)
    assert captions(at) and not [c for c in captions(at) if c.endswith(" pixels")]  # the result comes first there


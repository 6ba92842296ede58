"""AppTest: the Pooling page: sizes, presets, invalid settings, modes, the shift measure."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.learn import equivariance
from explorer.ui import url_state
from tests.page_helpers import APP, image_captions, number_grids, ok, open_page, texts


@pytest.fixture
def at() -> AppTest:
    return open_page("pages/pooling.py", timeout=120)





def test_default_halves_the_feature_map(at):
    assert "output **128 x 128**" in texts(at, "markdown")
    assert "Max pooled 128x128" in image_captions(at)
    assert "Feature map after ReLU 256x256" in image_captions(at)
    assert "sobel x" in texts(at, "caption")


def test_alexnet_preset_overlaps(at):
    at.radio(key="pooling_preset").set_value("3x3/2").run()
    ok(at)
    assert (at.slider(key="pooling_size").value, at.slider(key="pooling_stride").value) == (3, 2)
    assert "output **127 x 127**" in texts(at, "markdown")
    assert "overlap" in texts(at, "caption") and "win more than one window" in texts(at, "caption")
    at.slider(key="pooling_stride").set_value(3).run()
    assert at.radio(key="pooling_preset").value == "custom"


def test_uneven_fit_and_too_much_padding_are_explained(at):
    at.slider(key="pooling_size").set_value(3).run()
    at.slider(key="pooling_stride").set_value(3).run()
    ok(at)
    assert "column 255" in texts(at, "info")
    at.slider(key="pooling_padding").set_value(2).run()
    ok(at)
    assert "at most half the window size" in texts(at, "warning")


def test_modes_and_the_picture_itself(at):
    at.segmented_control(key="pooling_mode").set_value("avg").run()
    ok(at)
    assert "Average pooled 128x128" in image_captions(at)
    at.radio(key="pooling_input").set_value("picture").run()
    at.radio(key="pooling_color").set_value("RGB").run()
    at.selectbox(key="pooling_sample").set_value("china").run()
    at.segmented_control(key="pooling_mode").set_value("sum").run()
    ok(at)
    assert "Sum pooled" in image_captions(at) and "Scaled down from 640x427" in texts(at, "caption")


def test_shift_table_shows_pooling_changes_less(at):
    at.slider(key="pooling_shift").set_value(3).run()
    ok(at)
    table = at.dataframe[0].value
    assert list(table["shift (px)"]) == [1, 2, 3]
    raw = float(table["raw map changes by"][0].rstrip("%"))
    pooled = float(table["pooled map changes by"][0].rstrip("%"))
    assert pooled < raw
    assert "A 1-pixel shift changes the raw map" in texts(at, "caption")


def test_kernel_comes_from_the_convolution_page():
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page("pages/convolution.py").run()
    app.selectbox(key="convolution_preset").set_value("laplacian").run()
    app.switch_page("pages/pooling.py").run()
    ok(app)
    assert "**laplacian**, 3x3" in texts(app, "caption")


def test_the_worked_example_starts_on_distinct_values(at):
    """Issue #14: on the default picture the window view showed only 0 and 3.29, so max =
    average and the overlapping windows never had a shared winner."""
    at.radio(key="pooling_preset").set_value("3x3/2").run()
    ok(at)
    overlaps = [c.value for c in at.caption if "Overlapping windows:" in c.value]
    assert overlaps and not overlaps[0].startswith("Overlapping windows: 0 ")
    first = [c.value for c in at.caption if c.value.startswith("Output (0, 0) = ")][0]
    at.button_group(key="pooling_mode").set_value("avg").run()
    second = [c.value for c in at.caption if c.value.startswith("Output (0, 0) = ")][0]
    assert first.split(":")[0] != second.split(":")[0]  # max and average differ
    assert ": the largest of the values in input rows 0 to 2" in first  # not "the largest values"
    assert ": the average of the values in input rows 0 to 2" in second


def test_the_widest_shift_leaves_a_column_to_compare():
    rng = np.random.default_rng(0)
    for width, k in ((8, 3), (64, 5), (9, 4)):
        widest = equivariance.widest_shift(width, k)
        x, kernel = rng.random((6, width)), rng.random((k, k))
        assert equivariance.shift_equivariance(x, kernel, widest).conv_then_shift.shape[1] == 1
    assert equivariance.widest_shift(8, 5) < 1  # nothing left to compare: the page says so


def test_pooling_a_handwritten_digit_shifts_it_as_far_as_it_can():
    """An 8x8 digit used to end the page in an error: section 9 shifted it by 5 pixels and had no
    columns left to compare."""
    at = open_page("pages/pooling.py", timeout=120)
    at.slider(key="pooling_equi_shift").set_value(12).run()
    at.radio(key="pooling_source").set_value("dataset").run()
    ok(at)
    assert at.slider(key="pooling_equi_shift").max == 3 and at.slider(key="pooling_equi_shift").value == 3
    # Section 8 on this small map: stride 5 leaves one window, 64 times fewer values, and says why.
    assert "64.0 times fewer, more than 25 because the last 3 rows and 3 columns fit no whole window" in texts(
        at, "markdown")


def test_presenter_mode_enlarges_the_number_grids(at):
    """The class reads the window-by-window grids and the count maps from the back of the room:
    in presenter mode their cells grow and their digits are 18 px or more (12-14 px on a laptop)."""
    laptop = number_grids(at)
    at.session_state[url_state.PRESENT_KEY] = True
    at.run()
    ok(at)
    presenter = number_grids(at)
    assert len(laptop) == len(presenter) == 4  # input and output grids, two count maps
    for (width, digits), (big_width, big_digits) in zip(laptop, presenter):
        assert big_width >= 1.5 * width and big_digits >= 18 > digits

"""AppTest: the Convolution page reacts to its settings with the right numbers."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from explorer.ui import url_state
from tests.page_helpers import image_captions, number_grids, ok, open_page, texts


@pytest.fixture
def at() -> AppTest:
    return open_page("pages/convolution.py", timeout=120)





def test_stride_changes_formula_and_output_size(at):
    assert "256 - 3 + 2 \\cdot 0}{1}" in texts(at, "latex")
    assert "output **254 x 254**" in texts(at, "markdown")
    at.slider(key="convolution_stride").set_value(3).run()
    ok(at)
    assert "{3}" in texts(at, "latex") and "\\lfloor 84.33\\ldots \\rfloor + 1 = 84 + 1 = 85" in texts(at, "latex")
    assert "output **85 x 85**" in texts(at, "markdown")
    assert "row 255" in texts(at, "info") and "dropped" in texts(at, "info")
    assert "Output 85x85" in image_captions(at)


def test_padding_dilation_and_kernel_size_enter_the_formula(at):
    at.select_slider(key="convolution_padding").set_value(2).run()
    at.slider(key="convolution_size").set_value(5).run()
    at.slider(key="convolution_dilation").set_value(2).run()
    ok(at)
    latex = texts(at, "latex")
    assert "256 - 9 + 2 \\cdot 2" in latex and "K' = D(K - 1) + 1 = 2(5 - 1) + 1 = 9" in latex
    assert "output **252 x 252**" in texts(at, "markdown")


def test_same_padding_with_stride_is_explained(at):
    at.select_slider(key="convolution_padding").set_value("same").run()
    assert "output **254 x 254**" not in texts(at, "markdown") and "256 x 256" in texts(at, "markdown")
    at.slider(key="convolution_stride").set_value(2).run()
    ok(at)
    assert "'same' padding keeps the output as large as the input only with stride 1" in texts(at, "warning")


def test_empty_output_is_explained_on_a_tiny_digit(at):
    at.radio(key="convolution_source").set_value("dataset").run()
    at.radio(key="convolution_dataset").set_value("digits").run()
    at.slider(key="convolution_size").set_value(11).run()
    ok(at)
    warning = texts(at, "warning")
    assert "The output would be empty" in warning and "8 rows of input" in warning


def test_preset_fills_the_kernel_grid(at):
    grid = at.dataframe[0].value
    assert grid.to_numpy().tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    at.selectbox(key="convolution_preset").set_value("laplacian").run()
    ok(at)
    grid = at.dataframe[0].value
    assert grid.to_numpy().tolist() == [[0, 1, 0], [1, -4, 1], [0, 1, 0]]


def test_rgb_shows_three_maps_and_their_sum(at):
    at.radio(key="convolution_color").set_value("RGB").run()
    at.selectbox(key="convolution_sample").set_value("flower").run()
    at.segmented_control(key="convolution_view").set_value("channels").run()
    ok(at)
    captions = image_captions(at)
    for name in ("Red channel", "Green channel", "Blue channel", "Sum of the three"):
        assert name in captions
    assert "Scaled down from 640x427" in texts(at, "caption")


def test_several_filters_make_a_volume(at):
    at.segmented_control(key="convolution_view").set_value("filters").run()
    ok(at)
    assert "254 x 254 x 4" in texts(at, "markdown")
    at.multiselect(key="convolution_bank").set_value(["sobel x", "emboss"]).run()
    assert "254 x 254 x 2" in texts(at, "markdown")


def test_relu_reports_what_it_clipped(at):
    at.toggle(key="convolution_relu").set_value(True).run()
    ok(at)
    assert "ReLU set" in texts(at, "caption") and "to 0" in texts(at, "caption")


def step_view(at) -> None:
    assert "Pick a view" in texts(at, "caption")  # nothing heavy open until asked for
    at.segmented_control(key="convolution_view").set_value("step").run()


def test_presenter_mode_enlarges_the_step_grid(at):
    """The clickable output grid of the step view, read from the back of the room: larger cells
    and digits of 18 px or more in presenter mode (11 px on a laptop)."""
    step_view(at)
    laptop = number_grids(at)
    at.session_state[url_state.PRESENT_KEY] = True
    at.run()
    ok(at)
    presenter = number_grids(at)
    assert len(laptop) == 1 and len(presenter) == 2  # the step grid and the kernel's
    (width, digits), = laptop
    (big_width, big_digits), = [g for g in presenter if g != (3 * 64, 21)]  # not the 3x3 kernel's
    assert big_width >= 1.5 * width and big_digits >= 18 > digits


def kernel_labels(at: AppTest) -> list[str]:
    """The numbers of the kernel's grid chart, row by row: the one number grid on the page that
    takes no clicks (the step view's output grid does)."""
    chart, = [c for c in at.get("vega_lite_chart") if c.proto.data.data and not any(
        "params" in layer for layer in json.loads(c.proto.spec).get("layer", []))]
    return pa.ipc.open_stream(chart.proto.data.data).read_pandas()["label"].tolist()  # Streamlit sends data as Arrow


def test_presenter_mode_draws_the_kernel_large(at):
    """The kernel editor is a canvas grid with 13 px numbers; in presenter mode the kernel is
    drawn again as a number grid with digits of 18 px or more, and it follows the preset."""
    assert number_grids(at) == []  # on a laptop the editor alone
    at.session_state[url_state.PRESENT_KEY] = True
    at.run()
    ok(at)
    (width, digits), = number_grids(at)
    assert digits >= 18 and width >= 3 * 50
    assert kernel_labels(at) == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    at.selectbox(key="convolution_preset").set_value("laplacian")
    at.session_state[url_state.PRESENT_KEY] = True  # AppTest drops the sidebar switch's state on a rerun
    at.run()
    ok(at)
    assert kernel_labels(at) == ["0", "1", "0", "1", "-4", "1", "0", "1", "0"]


def test_step_buttons_walk_the_kernel(at):
    step_view(at)
    assert "Receptive field of output (0, 0)" in texts(at, "caption")
    at.button(key="convolution_next").click().run()
    at.button(key="convolution_next").click().run()
    ok(at)
    assert "Receptive field of output (0, 2): input rows 0 to 2, columns 2 to 4" in texts(at, "caption")
    at.button(key="convolution_last").click().run()
    assert "Receptive field of output (4, 4)" in texts(at, "caption")  # 7x7 crop, 3x3 kernel: 5x5
    at.button(key="convolution_next").click().run()  # past the end: back to the start
    assert "Receptive field of output (0, 0)" in texts(at, "caption")
    at.slider(key="convolution_step").set_value(7).run()
    assert "Receptive field of output (1, 1)" in texts(at, "caption")


def test_step_mode_course_grid_with_stride_three(at):
    step_view(at)
    at.selectbox(key="convolution_toy").set_value("course 7x7").run()
    at.slider(key="convolution_stride").set_value(3).run()
    ok(at)
    at.button(key="convolution_last").click().run()
    assert "Receptive field of output (1, 1): input rows 3 to 5, columns 3 to 5" in texts(at, "caption")


def test_output_colours_fixed_scale_picture_and_padding_frame(at):
    """Issue #14: a fixed colour scale (doubling a kernel shows), 'as a picture' for
    Sharpen/Emboss, the padding drawn as a frame, the receptive-field box explained."""
    caps = image_captions(at)
    assert "yellow box: the pixels behind output pixel" in caps
    assert "black frame" not in caps
    at.radio(key="convolution_colours").set_value("fixed").run()
    ok(at)
    assert "scale ±4)" in image_captions(at)
    at.radio(key="convolution_colours").set_value("picture").run()
    ok(at)
    assert "drawn like a photo" in image_captions(at)
    at.select_slider(key="convolution_padding").set_value(2).run()
    ok(at)
    assert "black frame: the padding" in image_captions(at)

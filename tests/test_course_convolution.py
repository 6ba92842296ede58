"""The course's convolution claims on the Convolution and 1-D pages: a CNN layer computes
cross-correlation (one example each), the worked output sizes, 'same' padding with the
student's K, and the step grid's own formula with its never-visited row and column."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.learn import coverage, flip, worked_sizes
from explorer.ui import flip_note, url_state
from tests.conftest import ROOT


def test_a_torch_conv_layer_is_cross_correlation_not_convolution():
    e = flip.example_1d()
    assert e.layer_is_correlation
    assert not np.allclose(e.convolution, e.correlation)  # the example's kernel is not symmetric
    k = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]])
    e2 = flip.example_2d(np.arange(25.0).reshape(5, 5) ** 1.5, k)
    assert e2.layer_is_correlation and not np.allclose(e2.convolution, e2.correlation)


@pytest.mark.parametrize("ex", [e for e in worked_sizes.EXAMPLES if "x" in e.course_says])
def test_formula_reproduces_the_courses_worked_examples(ex):
    ax = worked_sizes.axis(ex.side, ex.kernel, ex.stride, ex.padding)
    assert f"{ax.size}x{ax.size}" == ex.course_says


def test_stride_three_on_seven_is_two_point_three_three_and_drops_the_last_row():
    ax = worked_sizes.axis(7, 3, 3, 0)
    assert "= 2.33" in worked_sizes.course_latex(ax) and ax.size == 2 and ax.dropped_input == 1
    assert list(coverage.along(7, 3, 3)) == [1, 1, 1, 1, 1, 1, 0]


@pytest.mark.parametrize("k,p,whole", [(3, 1, True), (5, 2, True), (7, 3, True), (4, 1.5, False)])
def test_same_padding_is_k_minus_one_over_two(k, p, whole):
    s = worked_sizes.same_padding(k)
    assert s.padding == p and s.whole == whole
    if whole:  # and it really keeps the size at stride 1
        assert worked_sizes.axis(32, k, 1, int(p)).size == 32


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(path).run()
    assert not at.exception
    return at


def text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "latex")
                    for e in getattr(at, kind))


def test_1d_page_says_cnn_layers_do_not_flip():
    at = open_page("pages/convolution_1d.py")
    t = text(at)
    assert "does exactly this" not in t and "without the flip" in t
    table = [d.value for d in at.dataframe if "what" in d.value.columns][0]
    e = flip.example_1d()
    assert table["result"].iloc[2] == table["result"].iloc[1] != table["result"].iloc[0]
    assert table["result"].iloc[2] == ", ".join(f"{v:g}" for v in e.torch_layer)


def test_2d_page_reproduces_the_courses_examples_and_same_padding():
    at = open_page("pages/convolution.py")
    t = text(at)
    assert "P = \\frac{K - 1}{2} = \\frac{3 - 1}{2} = 1" in t  # the page's default 3x3 kernel
    at.button(key="convolution_calc_course30").click().run()
    t = text(at)
    assert "output **10x10**" in t and "The course states: **10x10**" in t
    at.button(key="convolution_calc_course32same").click().run()
    assert "Input **32x32x3** → output **32x32**" in text(at)
    at.number_input(key="convolution_calc_side").set_value(64).run()
    assert "Input **64x64x3** → output **64x64**" in text(at)
    at.slider(key="convolution_size").set_value(5).run()
    assert "\\frac{5 - 1}{2} = 2" in text(at)


def test_2d_page_shows_pytorchs_conv2d_equal_to_cross_correlation_once_opened():
    at = open_page("pages/convolution.py")
    note = [e for e in at.expander if e.label == flip_note.TWO_D_LABEL]
    assert len(note) == 1 and not note[0].children  # closed: nothing inside computed or sent
    at.session_state[flip_note.TWO_D_KEY] = True  # the student opens it
    at.run()
    note = [e for e in at.expander if e.label == flip_note.TWO_D_LABEL][0]
    correlation, convolution, layer = (d.value.to_numpy() for d in note.dataframe)
    assert np.array_equal(layer, correlation) and not np.array_equal(layer, convolution)
    assert "PyTorch's numbers equal the cross-correlation." in " ".join(c.value for c in note.caption)


def test_step_grid_shows_its_own_formula_and_the_never_visited_row():
    at = open_page("pages/convolution.py")
    at.slider(key="convolution_stride").set_value(3).run()
    at.button_group(key="convolution_view").set_value("step").run()
    at.selectbox(key="convolution_toy").set_value("course 7x7").run()
    assert not at.exception
    t = text(at)
    assert "= 2.33 \\;\\rightarrow\\; 2" in t
    assert "never visit input row 6 and column 6" in t


def test_the_2d_flip_grids_are_large_text_in_presenter_mode():
    at = open_page("pages/convolution.py")
    at.session_state[url_state.PRESENT_KEY] = True
    at.session_state[flip_note.TWO_D_KEY] = True
    at.run()
    note = [e for e in at.expander if e.label == flip_note.TWO_D_LABEL][0]
    assert not note.dataframe and len(note.table) == 3

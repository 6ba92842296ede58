"""Kernel presets, the formula with numbers, colour maps and the shift-invariance measure."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.learn import convolution, formula, kernels, pooling, shift
from explorer.pictures import colormaps


@pytest.mark.parametrize("name", kernels.names())
@pytest.mark.parametrize("size", range(1, kernels.MAX_SIZE + 1))
def test_every_preset_exists_in_every_size(name, size):
    w = kernels.make(name, size)
    assert w.shape == (size, size) and np.isfinite(w).all()


@pytest.mark.parametrize("size", [3, 5, 11])
def test_presets_do_what_they_say(size):
    ramp = np.tile(np.arange(20.0), (20, 1))  # brighter to the right
    flat = np.full((20, 20), 0.7)
    for blur in ("box blur", "gaussian"):
        assert np.isclose(kernels.make(blur, size).sum(), 1.0)
        np.testing.assert_allclose(convolution.conv2d(flat, kernels.make(blur, size)), 0.7)
    for edge in ("sobel x", "sobel y", "laplacian", "outline"):
        np.testing.assert_allclose(convolution.conv2d(flat, kernels.make(edge, size)), 0.0, atol=1e-12)
    assert (convolution.conv2d(ramp, kernels.make("sobel x", size)) > 0).all()
    np.testing.assert_allclose(convolution.conv2d(ramp, kernels.make("sobel y", size)), 0.0, atol=1e-12)
    np.testing.assert_allclose(convolution.conv2d(ramp, kernels.make("identity", size), padding="same"), ramp)


def test_random_kernel_is_reproducible_per_seed():
    assert np.array_equal(kernels.make("random", 5, seed=3), kernels.make("random", 5, seed=3))
    assert not np.array_equal(kernels.make("random", 5, seed=3), kernels.make("random", 5, seed=4))


def test_formula_course_example_names_the_dropped_row():
    h = formula.Axis("height", 7, 3, 3)
    assert h.size == 2 and h.dropped_input == 1
    assert "7 - 3 + 2 \\cdot 0" in h.latex() and h.latex().endswith("= 2")
    assert "row 6" in h.note() and "dropped" in h.note()
    assert formula.Axis("height", 7, 3, 2).note() is None  # (7 - 3) / 2 fits exactly


def test_formula_when_only_padding_is_left_over():
    ax = formula.Axis("width", 6, 3, 2, 1, 1)  # (6 - 3 + 2) / 2 = 2.5
    assert ax.size == 3 and ax.dropped == 1 and ax.dropped_input == 0
    assert "Only padding" in ax.note()


def test_formula_empty_output_is_explained_not_raised():
    ax = formula.Axis("width", 8, 5, 1, 0, 0, 3)  # a dilated 5x5 spans 13 pixels
    assert ax.size == 0
    assert "13" in ax.error and "8 columns" in ax.error
    assert "< 1" in ax.latex()
    assert "K' = D(K - 1) + 1 = 3(5 - 1) + 1 = 13" == ax.dilation_latex()


def test_formula_same_padding_with_an_even_kernel_is_asymmetric():
    h, w = formula.axes((10, 12), (4, 4), 1, "same", 1)
    assert (h.before, h.after, h.size, w.size) == (1, 2, 10, 12)
    assert "P_1 + P_2" in h.latex()
    with pytest.raises(ValueError, match="stride 1"):
        formula.axes((10, 12), (3, 3), 2, "same", 1)


def test_diverging_colours():
    rgb = colormaps.diverging(np.array([[-2.0, 0.0, 2.0]]))
    neg, zero, pos = rgb[0]
    assert tuple(zero) == (255, 255, 255)
    assert neg[2] > neg[0] and pos[0] > pos[2]  # blue for negative, red for positive
    assert "negative" in colormaps.legend(np.array([-1.0, 1.0]))
    assert colormaps.auto(np.array([[0.0, 1.0]])).shape == (1, 2, 3)


def test_draw_box_outlines_and_clips():
    img = np.zeros((10, 10, 3), np.uint8)
    out = colormaps.draw_box(img, (-2, 4), (2, 5), width=1)
    assert out[4, 3].tolist() == [255, 200, 0] and out[2, 3].tolist() == [0, 0, 0]
    assert img.sum() == 0  # a copy


def test_max_pooling_forgets_a_shift_inside_its_window():
    x = np.zeros((8, 9))
    x[2, 3] = 5.0  # shifting the view by 1 moves the peak from column 3 to 2: same 2x2 window
    change = shift.measure(x, 1, 2, 2, "max")[0]
    assert change.raw == pytest.approx(2.0)  # every raw difference counts twice
    assert change.pooled == 0.0 and change.pooled_same == 1.0 and change.raw_same == 0.0


def test_shift_measure_on_a_constant_map_sees_no_change():
    rows = shift.measure(np.ones((1, 12, 12)), 3, 2, 2, "avg", axis="vertical")
    assert [r.shift for r in rows] == [1, 2, 3]
    assert all(r.raw == 0 and r.pooled == 0 for r in rows)
    with pytest.raises(ValueError, match="too small"):
        shift.measure(np.ones((4, 4)), 5, 2)


def test_pooling_worked_example_picks_the_varied_part_of_a_photo():
    """Issue #14: the 'busiest part' (largest sum) of a photo's map can be a flat bright
    block; the worked example now takes the most varied block."""
    from explorer.learn import step_walk

    rng = np.random.default_rng(0)
    g = np.full((40, 40), 3.0)  # a flat, bright "sky" with the largest sum
    g[25:35, 5:15] = rng.uniform(0, 2, (10, 10))  # a textured part
    grid = step_walk.most_varied(g[None], 8)
    assert len(np.unique(grid)) > 20
    assert not np.allclose(pooling.pool2d(grid, 2, 2, "max"), pooling.pool2d(grid, 2, 2, "avg"))
    assert len(np.unique(step_walk.busiest(g[None], 8))) == 1  # the old choice: all 3.0

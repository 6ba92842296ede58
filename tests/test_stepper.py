"""Step mode: every frame's products add up to the real output; frames and the GIF export."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from explorer.learn import convolution, grid_charts, kernels, step_walk


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (3, 0, 1), (2, 1, 2), (1, "same", 1)])
def test_each_step_sums_its_products_into_the_output(stride, padding, dilation):
    walk = step_walk.Walk(step_walk.toy("random digits", 9, seed=2), kernels.make("sobel x", 3), stride, padding, dilation)
    ref = convolution.conv2d(walk.x, walk.w, stride, padding, dilation)
    assert len(walk) == ref.size
    for t in range(len(walk)):
        i, j = walk.cell(t)
        assert walk.step_of(i, j) == t
        assert walk.products(t).sum() == pytest.approx(ref[i, j])


def test_course_example_has_four_steps_and_relu_clips():
    walk = step_walk.Walk(step_walk.toy("course 7x7"), -kernels.make("outline", 3), 3, 0, 1, relu=True)
    assert walk.output.shape == (2, 2) and len(walk) == 4
    assert (walk.output >= 0).all()


def test_empty_output_raises_a_sentence():
    walk = step_walk.Walk(np.zeros((4, 4)), kernels.make("box blur", 5))
    with pytest.raises(ValueError, match="does not fit"):
        len(walk)


def test_frames_differ_from_step_to_step():
    walk = step_walk.Walk(step_walk.toy("vertical edge", 6), kernels.make("sobel x", 3))
    a, b = step_walk.render(walk, 0), step_walk.render(walk, 1)
    assert a.size == b.size and a.mode == "RGB"
    assert np.asarray(a).tobytes() != np.asarray(b).tobytes()


def test_gif_holds_every_step_and_loops():
    walk = step_walk.Walk(step_walk.toy("diagonal", 5), kernels.make("gaussian", 3))
    data = step_walk.gif(walk, ms_per_frame=200)
    with Image.open(io.BytesIO(data)) as gif:
        assert gif.format == "GIF" and gif.n_frames == len(walk) == 9
        assert gif.info.get("loop") == 0 and gif.info.get("duration") == 200


def test_long_walks_are_sampled_for_the_gif():
    walk = step_walk.Walk(np.ones((12, 12)), kernels.make("identity", 1))
    with Image.open(io.BytesIO(step_walk.gif(walk, max_frames=20))) as gif:
        assert gif.n_frames == 20


def test_crops_of_pictures():
    pic = np.random.default_rng(0).random((3, 300, 200))
    assert step_walk.crop(pic, 10).shape == (10, 10)
    assert step_walk.crop(np.ones((1, 8, 8)), 12).shape == (12, 12)
    spot = np.zeros((1, 50, 60))
    spot[0, 30:33, 40:43] = 1.0
    block = step_walk.busiest(spot, 5)
    assert block.sum() == pytest.approx(9.0)


def test_grid_chart_reports_clicks_and_refuses_huge_grids():
    spec = grid_charts.grid(np.arange(12.0).reshape(3, 4) - 6, select="cell", strong=np.eye(3, 4, dtype=bool))
    assert spec["layer"][0]["params"][0]["name"] == "cell"
    assert len(spec["data"]["values"]) == 12 and spec["width"] == 4 * 30
    assert sum(r["strong"] for r in spec["data"]["values"]) == 3
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == [-6.0, 0.0, 6.0]
    assert grid_charts.selected_cell({"selection": {"cell": [{"row": 2, "col": 1}]}}, "cell") == (2, 1)
    assert grid_charts.selected_cell({"selection": {"cell": {}}}, "cell") is None  # nothing clicked yet

    class Event:
        selection = {"cell": [{"row": 2, "col": 1}]}

    assert grid_charts.selected_cell(Event(), "cell") == (2, 1)
    with pytest.raises(ValueError, match="image"):
        grid_charts.grid(np.zeros((40, 40)))

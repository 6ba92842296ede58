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


def test_a_cell_writes_any_number_in_five_characters_or_fewer():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.choice([-1, 1], 2000) * 10.0 ** rng.uniform(-8, 30, 2000),
                             [0, 9.994, -9.996, 99.95, 999.5, 9999.4, 9999.6, 10000, -9e99]])
    texts = [grid_charts.cell_text(v) for v in values]
    assert max(map(len, texts)) <= 5, max(texts, key=len)
    assert [grid_charts.cell_text(v) for v in (-3.0, 0.9, -1.2345, -79.29, 812.6, -7929.4, 12345.6, -2e20)] == \
        ["-3", "0.90", "-1.23", "-79.3", "813", "-7929", "1e4", "-2e20"]
    # A value that rounds to zero has no sign, in a cell and in a sentence.
    assert grid_charts.cell_text(-0.0004) == step_walk.fmt(-0.0004) == "0.00"
    # Each written number is its value, rounded.
    for v, t in zip(values, texts):
        assert float(t) == pytest.approx(v, rel=0.5, abs=0.006)


def test_a_step_frame_writes_every_number_inside_its_cell(monkeypatch):
    """Weights in the tens (a link may carry up to ±1000): the frame wrote '-79.29' in a cell
    46 px wide at 15 px, 43 px of text, and the current cell's 4-px outline hid its minus sign."""
    kernel = kernels.make("sobel x", 3) * 33.3
    walk = step_walk.Walk(step_walk.toy("random digits", 7, seed=2) / 9, kernel, 1, 0, 1)
    ho, wo = walk.output.shape
    cs = int(np.clip(300 // max(3, ho, wo), 30, 46))  # render()'s cell size for the products and the output
    drawn = []
    text = step_walk.ImageDraw.ImageDraw.text

    def noting(self, xy, s, *a, **k):
        drawn.append((s, k.get("font"), k.get("anchor")))
        return text(self, xy, s, *a, **k)

    monkeypatch.setattr(step_walk.ImageDraw.ImageDraw, "text", noting)
    step_walk.render(walk, len(walk) - 1)
    in_cells = [(s, font) for s, font, anchor in drawn if anchor == "mm" and font.size == max(9, int(cs * 0.34))]
    assert len(in_cells) >= 9 + ho * wo  # the products and the whole output
    widest = max(in_cells, key=lambda c: c[1].getlength(c[0]))
    assert widest[1].getlength(widest[0]) <= cs - 4, widest[0]

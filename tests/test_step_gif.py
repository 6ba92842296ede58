"""Issue #14, item 3: the GIF of the step walk keeps the app's colours, signs included."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageSequence

from explorer.learn import kernels, step_walk


def cell_centres(walk: step_walk.Walk) -> list[tuple[int, int, int, int]]:
    """(i, j, x, y) of every output cell's centre in render()'s layout (found by colour:
    the last frame's output grid is its right-most block of cells)."""
    frame = np.asarray(step_walk.render(walk, len(walk) - 1))
    ho, wo = walk.output.shape
    kh, kw = walk.w.shape
    hp, wp = walk.padded.shape
    cs_in = int(np.clip(380 // max(hp, wp), 16, 40))
    cs = int(np.clip(300 // max(kh, kw, ho, wo), 30, 46))
    x_out = 20 + wp * cs_in + 40 + kw * cs + 40 + 30
    top = 58
    assert frame.shape[1] >= x_out + wo * cs
    # Sample a quarter-cell in from the corner: away from the number written in the middle.
    return [(i, j, x_out + j * cs + cs // 4, top + i * cs + cs // 4) for i in range(ho) for j in range(wo)]


def test_negative_cells_stay_blue_in_every_gif_frame():
    x = step_walk.toy("random digits", 7, seed=3)
    walk = step_walk.Walk(x, kernels.make("sobel x", 3))  # a signed edge: blue and red cells
    assert walk.output.min() < 0 < walk.output.max()
    frames = [f.convert("RGB") for f in ImageSequence.Iterator(Image.open(io.BytesIO(step_walk.gif(walk))))]
    assert len(frames) == len(walk)
    centres = cell_centres(walk)
    blue = 0
    for t in (0, len(walk) // 2, len(walk) - 1):
        app = np.asarray(step_walk.render(walk, t)).astype(int)
        gif = np.asarray(frames[t]).astype(int)
        for i, j, cx, cy in centres:
            if walk.step_of(i, j) > t:
                continue  # not computed yet at step t
            want, got = app[cy, cx], gif[cy, cx]
            assert np.abs(want - got).max() <= 12, (t, i, j, want, got)
            if walk.output[i, j] < 0 and want[2] > want[0] + 30:
                assert got[2] > got[0] + 30, (t, i, j, got)  # still blue, not grey
                blue += 1
    assert blue > 3  # the check above did look at clearly negative cells

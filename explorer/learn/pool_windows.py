"""The Pooling page's pure parts: the output size of both axes with the reason a setting is
impossible, the map drawn as a picture, and one window of a small grid with its winners."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.learn import formula, geometry, pooling
from explorer.pictures import colormaps, render

SHOW_SIDE = 320  # small maps are enlarged to about this many pixels


@dataclass(frozen=True)
class PoolSize:
    """The formula of both axes for a (H, W) map and the first reason these settings give
    no output (None when they do)."""

    ax_h: formula.Axis
    ax_w: formula.Axis
    problem: str | None


def pool_size(height: int, width: int, size: int, stride: int, padding: int) -> PoolSize:
    """Both axes of a size x size window (padding on every side) and what is wrong, if anything."""
    ax_h = formula.Axis("height", height, size, stride, padding, padding)
    ax_w = formula.Axis("width", width, size, stride, padding, padding)
    problem = pooling.padding_problem(size, padding) or ax_h.error or ax_w.error
    return PoolSize(ax_h, ax_w, problem)


def picture(m: np.ndarray, mode: str) -> np.ndarray:
    """A (C, H, W) map for display: RGB pictures as they are (a sum scaled to its largest
    value), single maps with the map colour scale. Returns (H, W, 3) uint8."""
    if m.shape[0] == 3:
        lim = max(float(m.max()), 1e-9) if mode == "sum" else 1.0
        return render.to_uint8(m / lim)
    return colormaps.auto(m[0])


def shown(img: np.ndarray, side: int) -> np.ndarray:
    """img enlarged by pixel repetition when its longer side is below half of SHOW_SIDE."""
    return colormaps.enlarge(img, render.upscale_factor(side, SHOW_SIDE) if side < SHOW_SIDE // 2 else 1)


@dataclass(frozen=True)
class Window:
    """Output cell (i, j) of a pooled (n, n) grid: its input rows and columns, the masks to
    outline, and how many windows each input value wins (max pooling only, else None)."""

    out: np.ndarray  # (H', W')
    cell: tuple[int, int]
    rows: tuple[int, int]  # first, last (may reach into the padding)
    cols: tuple[int, int]
    window: np.ndarray  # (n, n) bool: the cell's window
    winners: np.ndarray  # (n, n) bool: values that win some window
    wins: np.ndarray | None  # (n, n) int: windows won


def window(grid: np.ndarray, size: int, stride: int, mode: str, padding: int,
           cell: tuple[int, int] | None) -> Window:
    """Pool the (n, n) grid and look at output `cell` ((0, 0) when missing or outside);
    raises ValueError (student-readable) when the grid has no output."""
    out = pooling.pool2d(grid, size, stride, mode, padding)
    ho, wo = out.shape
    i, j = cell if cell and cell[0] < ho and cell[1] < wo else (0, 0)
    (r0, r1), (q0, q1) = geometry.receptive_field(i, j, size, stride, padding)
    n = grid.shape[0]
    inside = np.zeros((n, n), bool)
    inside[max(r0, 0): r1 + 1, max(q0, 0): q1 + 1] = True
    winners = np.zeros((n, n), bool)
    wins = None
    if mode == "max":
        idx = pooling.pool_argmax(grid, size, stride, padding).ravel()
        winners.flat[idx] = True
        wins = np.bincount(idx, minlength=n * n).reshape(n, n)
    return Window(out, (i, j), (r0, r1), (q0, q1), inside, winners, wins)

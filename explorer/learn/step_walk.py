"""Step mode: a kernel walking over a small grid, one output cell at a time, drawn as frames.

A frame shows the padded input with the current window, the element-wise products, their
sum, and the output filled in up to that cell. The same frames make the GIF export.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from explorer.decimals import fixed
from explorer.learn import convolution, geometry, grid_charts
from explorer.pictures import colormaps
from explorer.pictures.render import grey_to_rgb

MAX_TOY = 12  # toy grids stay small enough to show every number
MAX_GIF_FRAMES = 250


@dataclass(frozen=True, eq=False)
class Walk:
    """x: (H, W) input; w: (kh, kw) kernel; padding an int, 'valid' or 'same'."""

    x: np.ndarray
    w: np.ndarray
    stride: int = 1
    padding: int | str = 0
    dilation: int = 1
    relu: bool = False

    @cached_property
    def pads(self) -> tuple[tuple[int, int], tuple[int, int]]:
        s, d = (self.stride, self.stride), (self.dilation, self.dilation)
        return geometry.resolve_padding(self.padding, self.w.shape, s, d)

    @cached_property
    def padded(self) -> np.ndarray:
        """(Hp, Wp) input with its zero border."""
        return np.pad(np.asarray(self.x, np.float64), self.pads)

    @cached_property
    def output(self) -> np.ndarray:
        """(H', W') result (after ReLU when relu is set); raises ValueError if empty."""
        out = convolution.conv2d(np.asarray(self.x, np.float64), np.asarray(self.w, np.float64),
                         self.stride, self.padding, self.dilation)
        return convolution.relu(out) if self.relu else out

    def __len__(self) -> int:
        return int(self.output.size)

    def cell(self, t: int) -> tuple[int, int]:
        """Output (row, col) computed at step t (row by row, like the sliding window)."""
        return divmod(int(t) % len(self), self.output.shape[1])

    def step_of(self, i: int, j: int) -> int:
        return int(i) * self.output.shape[1] + int(j)

    def taps(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Padded-grid rows (kh,) and cols (kw,) that the kernel's taps touch at step t."""
        i, j = self.cell(t)
        kh, kw = self.w.shape
        rows = i * self.stride + np.arange(kh) * self.dilation
        cols = j * self.stride + np.arange(kw) * self.dilation
        return rows, cols

    def products(self, t: int) -> np.ndarray:
        """(kh, kw) input value x kernel weight at step t; their sum is the output cell."""
        rows, cols = self.taps(t)
        return self.padded[np.ix_(rows, cols)] * self.w


def fmt(v: float) -> str:
    """A number in a sentence (a frame's title, its sum, a caption): integers plainly, others
    with two decimals below 100; one that rounds to zero without a sign."""
    v = float(v)
    if v.is_integer() and abs(v) < 1e4:
        return str(int(v))
    return fixed(v, 2 if abs(v) < 100 else 0)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


class _Canvas:
    def __init__(self, width: int, height: int):
        self.img = Image.new("RGB", (width, height), "white")
        self.draw = ImageDraw.Draw(self.img)

    def grid(self, x0: int, y0: int, values: np.ndarray, cs: int, colors: np.ndarray,
             show: np.ndarray | None = None, numbers: bool = True) -> None:
        """Cells of size cs at (x0, y0); colors (H, W, 3) uint8; show masks which cells get drawn."""
        font = _font(max(9, int(cs * 0.34)))
        h, w = values.shape
        for r in range(h):
            for c in range(w):
                box = (x0 + c * cs, y0 + r * cs, x0 + (c + 1) * cs, y0 + (r + 1) * cs)
                visible = show is None or show[r, c]
                fill = tuple(int(v) for v in colors[r, c]) if visible else (250, 250, 250)
                self.draw.rectangle(box, fill=fill, outline=(200, 200, 200))
                if visible and numbers:
                    dark = sum(fill) / 3 < 128
                    self.draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), grid_charts.cell_text(values[r, c]),
                                   fill="white" if dark else "black", font=font, anchor="mm")

    def outline(self, box: tuple[int, int, int, int], color, width: int = 3) -> None:
        self.draw.rectangle(box, outline=color, width=width)

    def arrow(self, x0: int, x1: int, y: int, color) -> None:
        self.draw.line((x0, y, x1 - 8, y), fill=color, width=4)
        self.draw.polygon([(x1, y), (x1 - 12, y - 8), (x1 - 12, y + 8)], fill=color)

    def text(self, xy, s: str, size: int = 15, color="black", anchor: str = "la") -> None:
        self.draw.text(xy, s, fill=color, font=_font(size), anchor=anchor)


def _input_colors(walk: Walk) -> np.ndarray:
    """Grey levels for the padded input, with the padding tinted so it reads as 'added'."""
    p = walk.padded
    lo, hi = float(walk.x.min()), float(walk.x.max())
    g = (np.clip((p - lo) / (hi - lo), 0, 1) if hi > lo else np.full_like(p, 0.5)) * 200 + 40
    rgb = grey_to_rgb(g)
    (pt, pb), (pl, pr) = walk.pads
    pad = np.ones(p.shape, bool)
    pad[pt: p.shape[0] - pb, pl: p.shape[1] - pr] = False
    rgb[pad] = (222, 232, 246)
    return rgb.astype(np.uint8)


def render(walk: Walk, t: int) -> Image.Image:
    """One frame of step t: padded input + window | products | output so far."""
    t = int(t) % len(walk)
    hp, wp = walk.padded.shape
    kh, kw = walk.w.shape
    ho, wo = walk.output.shape
    cs_in = int(np.clip(380 // max(hp, wp), 16, 40))
    cs = int(np.clip(300 // max(kh, kw, ho, wo), 30, 46))
    top, gap = 58, 40
    x_prod = 20 + wp * cs_in + gap
    x_out = x_prod + kw * cs + gap + 30
    width = x_out + wo * cs + 20
    height = top + max(hp * cs_in, kh * cs + 60, ho * cs) + 40
    cv = _Canvas(width, height)
    i, j = walk.cell(t)
    prods = walk.products(t)
    total = float(prods.sum())
    value = float(walk.output[i, j])
    relu_note = f", after ReLU {fmt(value)}" if walk.relu else ""
    title = f"Step {t + 1} of {len(walk)}: output ({i}, {j}) = sum of the products = {fmt(total)}{relu_note}"
    cv.text((20, 10), title, 17)
    cv.text((20, top - 20), "Input (padding in blue), kernel window", 13, (80, 80, 80))
    cv.grid(20, top, walk.padded, cs_in, _input_colors(walk), numbers=cs_in >= 22)
    rows, cols = walk.taps(t)
    for r in rows:
        for c in cols:
            cv.outline((20 + c * cs_in, top + r * cs_in, 20 + (c + 1) * cs_in, top + (r + 1) * cs_in), (255, 170, 0), 2)
    cv.outline((20 + cols[0] * cs_in - 1, top + rows[0] * cs_in - 1,
                20 + (cols[-1] + 1) * cs_in + 1, top + (rows[-1] + 1) * cs_in + 1), (230, 90, 0), 3)
    cv.text((x_prod, top - 20), "input x weight", 13, (80, 80, 80))
    cv.grid(x_prod, top, prods, cs, colormaps.diverging(prods, colormaps.limit(prods)))
    cv.text((x_prod, top + kh * cs + 12), f"sum = {fmt(total)}", 16)
    cv.arrow(x_out - gap - 22, x_out - 10, top + min(ho, kh) * cs // 2, (230, 90, 0))
    cv.text((x_out, top - 20), f"Output {ho}x{wo}", 13, (80, 80, 80))
    done = np.arange(ho * wo).reshape(ho, wo) <= t
    cv.grid(x_out, top, walk.output, cs, colormaps.diverging(walk.output, colormaps.limit(walk.output)), show=done)
    cv.outline((x_out + j * cs, top + i * cs, x_out + (j + 1) * cs, top + (i + 1) * cs), (230, 90, 0), 4)
    return cv.img


def gif(walk: Walk, ms_per_frame: int = 400, max_frames: int = MAX_GIF_FRAMES) -> bytes:
    """The whole walk as an animated GIF (looping); at most max_frames frames, evenly spread."""
    n = len(walk)
    steps = range(n) if n <= max_frames else np.linspace(0, n - 1, max_frames).round().astype(int)
    frames = [render(walk, t) for t in steps]
    # One palette per frame: a shared one from frame 0 had none of the blues of negative
    # output cells that appear later, so they turned grey (issue #14). MEDIANCUT on a frame
    # of flat cells keeps each cell's colour to within a few levels.
    paletted = [f.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
                for f in frames]
    buf = io.BytesIO()
    paletted[0].save(buf, format="GIF", save_all=True, append_images=paletted[1:],
                     duration=ms_per_frame, loop=0, optimize=False)
    return buf.getvalue()


def toy(name: str, size: int = 7, seed: int = 0) -> np.ndarray:
    """Small teaching grids (size x size): 'course 7x7', 'vertical edge', 'diagonal', 'random digits'."""
    if name == "course 7x7":
        return np.array([[1, 0, 1, 0, 1, 0, 1], [0, 1, 0, 1, 0, 1, 0], [1, 1, 1, 0, 0, 0, 1],
                         [0, 0, 1, 1, 1, 0, 0], [1, 0, 0, 1, 0, 1, 1], [0, 1, 1, 0, 1, 1, 0],
                         [1, 0, 0, 1, 1, 0, 1]], float)
    if name == "vertical edge":
        g = np.zeros((size, size))
        g[:, size // 2:] = 9
        return g
    if name == "diagonal":
        return np.clip(9 - 3 * np.abs(np.subtract.outer(np.arange(size), np.arange(size))), 0, 9).astype(float)
    if name == "random digits":
        return np.random.default_rng(seed).integers(0, 10, (size, size)).astype(float)
    raise KeyError(f"unknown toy grid {name!r}")


TOYS = ("course 7x7", "vertical edge", "diagonal", "random digits")


def crop(image: np.ndarray, size: int) -> np.ndarray:
    """A (size, size) grey crop of a (C, H, W) picture in [0, 1]: the centre, shrunk so the
    grid still shows a recognisable part (block averages), values rounded to 2 decimals."""
    g = np.asarray(image, np.float64).mean(axis=0)
    h, w = g.shape
    side = min(h, w)
    if side < size:  # a tiny picture (an 8x8 digit): nearest-neighbour enlargement
        rows, cols = np.arange(size) * h // size, np.arange(size) * w // size
        return np.round(g[np.ix_(rows, cols)], 2)
    block = max(1, side // (size * 2))  # the crop covers about half of the shorter side
    span = block * size
    r0, c0 = (h - span) // 2, (w - span) // 2
    patch = g[r0: r0 + span, c0: c0 + span].reshape(size, block, size, block).mean(axis=(1, 3))
    return np.round(patch, 2)


def most_varied(image: np.ndarray, size: int) -> np.ndarray:
    """The (size, size) block of real values (channel mean of (C, H, W)) with the largest
    spread (standard deviation), rounded to 2 decimals; smaller maps are enlarged.

    `busiest` (largest sum of |values|) picked a flat bright block of sky: every value the
    same, so max = average and overlapping windows never showed a winner (issue #14). A
    varied block makes max, average and sum differ."""
    g = np.asarray(image, np.float64).mean(axis=0)
    h, w = g.shape
    if min(h, w) < size:
        return crop(image, size)

    def box_sums(a: np.ndarray) -> np.ndarray:
        c = np.pad(a.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
        return c[size:, size:] - c[:-size, size:] - c[size:, :-size] + c[:-size, :-size]

    n = size * size
    mean = box_sums(g) / n
    var = box_sums(g * g) / n - mean ** 2
    r, q = np.unravel_index(np.argmax(var), var.shape)
    return np.round(g[r: r + size, q: q + size], 2)


def busiest(image: np.ndarray, size: int) -> np.ndarray:
    """The (size, size) block of real values (channel mean of (C, H, W)) where the map is most
    active (largest sum of |values|), rounded to 2 decimals; smaller maps are enlarged."""
    g = np.asarray(image, np.float64).mean(axis=0)
    h, w = g.shape
    if min(h, w) < size:
        return crop(image, size)
    c = np.pad(np.abs(g).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums = c[size:, size:] - c[:-size, size:] - c[size:, :-size] + c[:-size, :-size]
    r, q = np.unravel_index(np.argmax(sums), sums.shape)
    return np.round(g[r: r + size, q: q + size], 2)

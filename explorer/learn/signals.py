"""1-D convolution of functions: (f * g)(c) = sum over t of f(t) g(c - t) dt, on a grid.

Everything is numpy and exact on the grid: `convolve` is numpy.convolve times the step, and
`slide` shows the same sum for one shift c (g flipped, moved to c, multiplied with f).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PRESETS = ("box * box", "two Gaussians", "dropped ball", "echo")


@dataclass(frozen=True)
class Pair:
    """Two functions sampled on the same uniform grid x (step dx)."""

    x: np.ndarray
    f: np.ndarray
    g: np.ndarray
    discrete: bool  # probabilities on integers (bars) rather than densities (curves)
    f_label: str = "f"
    g_label: str = "g"
    x_label: str = "t"

    @property
    def dx(self) -> float:
        return float(self.x[1] - self.x[0])

    @property
    def out_x(self) -> np.ndarray:
        """The grid of c for (f * g)(c): from 2 x[0] to 2 x[-1], same step."""
        n = len(self.x)
        return 2 * self.x[0] + self.dx * np.arange(2 * n - 1)


@dataclass(frozen=True)
class Slide:
    """One moment of the animation: shift c, g flipped and moved there, their product."""

    c: float
    g_moved: np.ndarray  # g(c - t) on the grid t = x (zero where g is not defined)
    product: np.ndarray  # f(t) g(c - t)
    value: float         # (f * g)(c) = sum(product) dx


def convolve(pair: Pair) -> np.ndarray:
    """(f * g) on pair.out_x: numpy.convolve times the grid step (a Riemann sum of the
    integral; for probabilities dx = 1 and it is the exact sum)."""
    return np.convolve(pair.f, pair.g) * pair.dx


def slide(pair: Pair, k: int) -> Slide:
    """The sliding view at c = out_x[k]: g(c - t) at t = x[j] is g[k - j]."""
    n = len(pair.x)
    if not 0 <= k < 2 * n - 1:
        raise ValueError(f"shift index {k} is outside 0..{2 * n - 2}")
    j = np.arange(n)
    src = k - j
    inside = (src >= 0) & (src < n)
    moved = np.zeros(n)
    moved[inside] = pair.g[src[inside]]
    product = pair.f * moved
    return Slide(float(pair.out_x[k]), moved, product, float(product.sum() * pair.dx))


def box(x: np.ndarray, width: float = 1.0, height: float | None = None) -> np.ndarray:
    """A box of the given width centred on 0, height 1/width (area 1) unless given."""
    h = 1.0 / width if height is None else height
    return np.where((x >= -width / 2) & (x < width / 2), h, 0.0)


def gaussian(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    """The normal density N(mean, std^2)."""
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def box_pair(f_width: float = 1.0, g_width: float = 1.0, step: float = 0.02) -> Pair:
    """Two boxes of height 1; equal widths give the course's triangle 1 - |c|.

    The grid sits half a step off zero so a box's edges fall between samples: each box then
    has exactly width/step samples, and every c on the output grid is a multiple of step.
    """
    x = np.round(np.arange(-2.0 + step / 2, 2.0, step), 10)
    return Pair(x, box(x, f_width, 1.0), box(x, g_width, 1.0), False)


def gaussian_pair(f_mean=-1.0, f_std=0.5, g_mean=1.0, g_std=0.8, step: float = 0.05) -> Pair:
    """Two bell curves; their convolution is the bell N(f_mean + g_mean, f_std^2 + g_std^2)."""
    x = np.round(np.arange(-6.0, 6.0 + step / 2, step), 10)
    return Pair(x, gaussian(x, f_mean, f_std), gaussian(x, g_mean, g_std), False)


def drop_distribution(n: int, mean: float, spread: float) -> np.ndarray:
    """P(the ball lands a metres away), a = 0..n: a bell rounded to whole metres, summing to 1."""
    a = np.arange(n + 1)
    p = np.exp(-0.5 * ((a - mean) / max(spread, 1e-3)) ** 2)
    return p / p.sum()


def ball_pair(first_mean=3.0, first_spread=1.0, second_mean=4.0, second_spread=1.5, n: int = 12) -> Pair:
    """The dropped ball: f(a) = P(first drop lands a away), g(b) = the same for the second
    drop. P(total distance = c) = sum over a of f(a) g(c - a) = (f * g)(c)."""
    x = np.arange(n + 1, dtype=float)
    return Pair(x, drop_distribution(n, first_mean, first_spread),
                drop_distribution(n, second_mean, second_spread), True,
                "first drop", "second drop", "distance (m)")


# -- sound ------------------------------------------------------------------------------------

SAMPLE_RATE = 16_000
SOUNDS = ("plucked note", "hand clap", "rising chirp")


def sound(name: str, sample_rate: int = SAMPLE_RATE, seconds: float = 0.35) -> np.ndarray:
    """A short mono sound synthesised here, float in [-1, 1]: a note with harmonics that dies
    away, a clap (a burst of noise), or a chirp sweeping up from 300 to 1,500 Hz."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    if name == "plucked note":
        wave = sum(np.sin(2 * np.pi * 330 * h * t) / h for h in (1, 2, 3, 4))
        out = wave * np.exp(-t * 12)
    elif name == "hand clap":
        noise = np.random.default_rng(7).standard_normal(len(t))
        out = noise * np.exp(-t * 40)
    elif name == "rising chirp":
        freq = 300 + 1200 * t / seconds
        out = np.sin(2 * np.pi * np.cumsum(freq) / sample_rate) * np.hanning(len(t))
    else:
        raise ValueError(f"unknown sound {name!r}; choose one of {', '.join(SOUNDS)}")
    return out / np.abs(out).max()


def echo_kernel(delay_s: float, gain: float, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Two spikes: 1 now (the sound itself) and `gain` after `delay_s` seconds (the wall)."""
    kernel = np.zeros(int(round(delay_s * sample_rate)) + 1)
    kernel[0] = 1.0
    kernel[-1] += gain
    return kernel


def with_echo(signal: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The heard sound: signal convolved with the two-spike kernel (length len(s)+len(k)-1)."""
    return np.convolve(signal, kernel)


def envelope(signal: np.ndarray, points: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of the signal over `points` equal chunks, to draw thousands of samples
    in a small chart without losing the peaks."""
    chunks = np.array_split(signal, min(points, len(signal)))
    return np.array([c.min() for c in chunks]), np.array([c.max() for c in chunks])

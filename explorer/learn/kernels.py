"""Preset convolution kernels of any size from 1 to 11, as (k, k) float64 arrays.

The classic 3x3 versions are the textbook ones; other sizes extend the same idea
(a wider blur, a smoother derivative), so moving the size slider keeps the meaning.
"""

from __future__ import annotations

from math import comb

import numpy as np

MAX_SIZE = 11
PRESETS = {
    "identity": "Identity: copies the input (a 1 in the centre).",
    "box blur": "Box blur: the average of the window.",
    "gaussian": "Gaussian blur: a weighted average, the centre counts most.",
    "sharpen": "Sharpen: the pixel minus a blur of its neighbours, added back (edges stand out).",
    "sobel x": "Sobel x: left-to-right change (finds vertical edges); positive where it gets brighter.",
    "sobel y": "Sobel y: top-to-bottom change (finds horizontal edges).",
    "laplacian": "Laplacian: the pixel against its neighbours; zero on flat areas and smooth ramps.",
    "emboss": "Emboss: a diagonal derivative plus the pixel, like light from the top left.",
    "outline": "Outline: the pixel against all eight neighbours; only edges remain.",
    "random": "Random: numbers drawn at random (what a CNN's filters look like before training).",
}


def names() -> list[str]:
    return list(PRESETS)


def describe(name: str) -> str:
    return PRESETS[name]


def make(name: str, size: int = 3, seed: int = 0) -> np.ndarray:
    """The preset `name` as a (size, size) float64 kernel."""
    if name not in PRESETS:
        raise KeyError(f"unknown kernel {name!r}; choose one of {names()}")
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"The kernel size must be between 1 and {MAX_SIZE}, not {size}.")
    if name == "random":
        return np.random.default_rng(seed).normal(0.0, 1.0 / size, (size, size))
    return _BUILDERS[name](size)


def _identity(k: int) -> np.ndarray:
    w = np.zeros((k, k))
    w[(k - 1) // 2, (k - 1) // 2] = 1.0
    return w


def _box(k: int) -> np.ndarray:
    return np.full((k, k), 1.0 / (k * k))


def _binomial(k: int) -> np.ndarray:
    """Row k-1 of Pascal's triangle, normalised: the discrete Gaussian."""
    v = np.array([comb(k - 1, i) for i in range(k)], float)
    return v / v.sum()


def _gaussian(k: int) -> np.ndarray:
    v = _binomial(k)
    return np.outer(v, v)


def _ramp(k: int) -> np.ndarray:
    """-1 ... 0 ... +1 across k positions (the derivative part of Sobel)."""
    if k == 1:
        return np.zeros(1)
    return np.linspace(-1.0, 1.0, k)


def _sobel_x(k: int) -> np.ndarray:
    # The 3x3 Sobel is [1 2 1]^T x [-1 0 1]; scaling keeps that at k = 3.
    return np.outer(_binomial(k) * 4 if k == 3 else _binomial(k) * k, _ramp(k))


def _sobel_y(k: int) -> np.ndarray:
    return _sobel_x(k).T.copy()


def _sharpen(k: int) -> np.ndarray:
    if k == 3:
        return np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float)
    return 2 * _identity(k) - _box(k)


def _laplacian(k: int) -> np.ndarray:
    if k == 3:
        return np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float)
    if k == 1:
        return np.zeros((1, 1))
    if k == 2:  # too small for a centre: one pixel against its three neighbours
        return np.array([[-1, -1], [-1, 3]], float)
    # Larger: a Laplacian of Gaussian, shifted to sum to zero (flat areas give 0).
    c = (k - 1) / 2
    y, x = np.mgrid[0:k, 0:k] - c
    sigma = max(k / 6, 0.5)
    r2 = (x**2 + y**2) / (2 * sigma**2)
    w = (r2 - 1) * np.exp(-r2)
    w -= w.mean()
    return w / np.abs(w).max() * 4


def _emboss(k: int) -> np.ndarray:
    if k == 1:
        return np.ones((1, 1))
    i, j = np.mgrid[0:k, 0:k]
    w = np.sign(i + j - (k - 1)) * np.maximum(1, np.abs(i + j - (k - 1)) // max(1, (k - 1) // 2))
    w = w.astype(float)
    w[(k - 1) // 2, (k - 1) // 2] = 1.0
    return w


def _outline(k: int) -> np.ndarray:
    w = -np.ones((k, k))
    w[(k - 1) // 2, (k - 1) // 2] = k * k - 1
    return w


_BUILDERS = {
    "identity": _identity, "box blur": _box, "gaussian": _gaussian, "sharpen": _sharpen,
    "sobel x": _sobel_x, "sobel y": _sobel_y, "laplacian": _laplacian, "emboss": _emboss,
    "outline": _outline,
}

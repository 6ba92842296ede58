"""Shift invariance, measured: how much a map changes when its input moves by a few pixels.

The input is cropped twice, the second crop `s` pixels further right (or down), so both
views are real pixels (no wrap-around, no invented border). A map that is shift-invariant
gives the same values for both crops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.learn import pooling


@dataclass(frozen=True)
class Change:
    shift: int
    raw: float  # relative change of the un-pooled map: mean |a - b| / mean |a|
    pooled: float  # the same for the pooled map
    raw_same: float  # fraction of non-zero raw values that did not change
    pooled_same: float  # fraction of non-zero pooled values that did not change


def views(x: np.ndarray, shift: int, max_shift: int, axis: str = "horizontal") -> tuple[np.ndarray, np.ndarray]:
    """Two equally sized crops of (..., H, W): the original and one moved by `shift` pixels."""
    if axis not in ("horizontal", "vertical"):
        raise ValueError("axis must be 'horizontal' or 'vertical'")
    ax = -1 if axis == "horizontal" else -2
    n = x.shape[ax] - max_shift
    if n < 1:
        raise ValueError(f"The map is too small ({x.shape[ax]} pixels) to shift by {max_shift}.")
    base = np.take(x, np.arange(n), axis=ax)
    moved = np.take(x, np.arange(shift, shift + n), axis=ax)
    return base, moved


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    scale = float(np.mean(np.abs(a)))
    return float(np.mean(np.abs(a - b))) / scale if scale > 0 else 0.0


def _same(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of values that stayed put, among those not zero before or after (a map that is
    mostly 0 after ReLU would otherwise look unchanged)."""
    live = (a != 0) | (b != 0)
    if not live.any():
        return 1.0
    return float(np.mean(np.isclose(a[live], b[live], rtol=1e-6, atol=1e-9)))


def measure(x: np.ndarray, max_shift: int, size: int, stride: int | None = None, mode: str = "max",
            padding: int = 0, axis: str = "horizontal") -> list[Change]:
    """For shifts 1..max_shift of the (H, W) or (C, H, W) map x: raw and pooled changes."""
    if max_shift < 1:
        raise ValueError("Shift by at least 1 pixel.")
    out = []
    for s in range(1, max_shift + 1):
        a, b = views(x, s, max_shift, axis)
        pa = pooling.pool2d(a, size, stride, mode, padding)
        pb = pooling.pool2d(b, size, stride, mode, padding)
        out.append(Change(s, _relative(a, b), _relative(pa, pb), _same(a, b), _same(pa, pb)))
    return out

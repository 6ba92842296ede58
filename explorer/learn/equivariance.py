"""Equivariance and invariance, measured on a real picture.

Convolution is shift-equivariant: conv(shift(x)) = shift(conv(x)) away from the borders, so
the map moves exactly as the input does. Pooling is only approximately shift-invariant. And
neither is rotation-invariant, whatever the course says of pooling: rotating the input by a
few degrees changes the pooled map about as much as the raw map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from explorer.learn import convolution, pooling


def _change(a: np.ndarray, b: np.ndarray) -> float:
    """mean |a - b| / mean |a| (0 = identical)."""
    return float(np.abs(a - b).mean() / max(np.abs(a).mean(), 1e-12))


@dataclass(frozen=True)
class ShiftCheck:
    shift: int
    conv_then_shift: np.ndarray   # (H', W') shift(conv(x)) on the overlap
    shift_then_conv: np.ndarray   # conv(shift(x)) on the overlap
    difference: float             # largest |difference|

    @property
    def equal(self) -> bool:
        return self.difference < 1e-9


def widest_shift(width: int, k: int) -> int:
    """The largest shift (pixels) that shift_equivariance can compare on a map `width` pixels
    wide with a k x k kernel: both results then keep width - 2k + 2 - shift >= 1 columns.
    Below 1 the map is too narrow for any shift (an 8x8 digit with a 5x5 kernel)."""
    return width - 2 * k + 1


def shift_equivariance(x: np.ndarray, kernel: np.ndarray, shift: int) -> ShiftCheck:
    """x (H, W), kernel (k, k), shift > 0 pixels to the right. Compared on the columns both
    results have (the shifted-in border is not part of the picture)."""
    x = np.asarray(x, np.float64)
    moved = np.zeros_like(x)
    moved[:, shift:] = x[:, :-shift]
    a = convolution.conv2d(x, kernel)            # conv(x)
    b = convolution.conv2d(moved, kernel)        # conv(shift(x))
    k = kernel.shape[1]
    # shift(conv(x)) lines up with conv(shift(x)) from column shift + k - 1 of the input on
    conv_then_shift = a[:, : a.shape[1] - shift][:, k - 1:]
    shift_then_conv = b[:, shift:][:, k - 1:]
    return ShiftCheck(shift, conv_then_shift, shift_then_conv,
                      float(np.abs(conv_then_shift - shift_then_conv).max()) if conv_then_shift.size else 0.0)


@dataclass(frozen=True)
class RotationRow:
    degrees: float
    raw: float      # change of the feature map
    pooled: float   # change of the pooled map


def rotation(x: np.ndarray, kernel: np.ndarray, angles: list[float], size: int = 2, stride: int = 2) -> list[RotationRow]:
    """How much rotating x (H, W) changes conv(x) and maxpool(conv(x)), per angle. Rotation
    about the centre, same size, zeros outside; ReLU after the convolution."""
    x = np.asarray(x, np.float64)
    base = convolution.relu(convolution.conv2d(x, kernel, padding="same"))
    base_p = pooling.pool2d(base[None], size, stride, "max")[0]
    rows = []
    for deg in angles:
        r = ndimage.rotate(x, deg, reshape=False, order=1, mode="constant")
        m = convolution.relu(convolution.conv2d(r, kernel, padding="same"))
        p = pooling.pool2d(m[None], size, stride, "max")[0]
        rows.append(RotationRow(float(deg), _change(base, m), _change(base_p, p)))
    return rows

"""How many pooling (or convolution) windows read each input pixel.

Overlapping pooling (AlexNet's 3x3 with stride 2) is often described as "every pixel in two
windows"; counting shows the truth: along one axis a pixel is read by 1 or 2 windows (or by
none, after the last window), so in 2-D by 1, 2 or 4, and the pattern repeats every stride.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from explorer.learn import geometry


def along(n: int, size: int, stride: int, padding: int = 0, after: int | None = None,
          dilation: int = 1) -> np.ndarray:
    """(n,) int: windows that read each of the n input positions along one axis.

    padding is the padding before (and after, unless `after` is given); a dilated window
    reads every dilation-th position of its span."""
    after = padding if after is None else after
    room = n + padding + after
    counts = np.zeros(room, int)
    span = geometry.effective_size(size, dilation)
    for i in range(geometry.output_size(room, size, stride, 0, dilation) if span <= room else 0):
        counts[i * stride: i * stride + span: dilation] += 1
    return counts[padding: padding + n]


def windows_per_pixel(h: int, w: int, size: int, stride: int, padding: int = 0) -> np.ndarray:
    """(h, w) int: windows that read each input pixel (the product of the two axes' counts)."""
    return np.outer(along(h, size, stride, padding), along(w, size, stride, padding))


@dataclass(frozen=True)
class Coverage:
    counts: np.ndarray            # (h, w) windows per pixel
    histogram: dict[int, int]     # windows -> number of pixels

    def sentence(self) -> str:
        """'36 pixels in 1 window, 24 in 2, 4 in 4, 17 in none.'"""
        parts = []
        for k in sorted(self.histogram, key=lambda k: (k == 0, k)):
            n = self.histogram[k]
            where = "none" if k == 0 else f"{k} window{'s' if k > 1 else ''}"
            parts.append(f"{n} pixel{'s' if n != 1 else ''} in {where}")
        return ", ".join(parts) + "."


def coverage(h: int, w: int, size: int, stride: int, padding: int = 0) -> Coverage:
    c = windows_per_pixel(h, w, size, stride, padding)
    return Coverage(c, dict(sorted(Counter(c.ravel().tolist()).items())))

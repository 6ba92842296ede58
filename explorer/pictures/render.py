"""Turning arrays into pictures (uint8 numpy images for st.image or PNG files)."""

from __future__ import annotations

import numpy as np


def to_uint8(img: np.ndarray) -> np.ndarray:
    """(C, H, W) or (H, W) float in [0, 1] -> (H, W) or (H, W, 3) uint8."""
    arr = np.asarray(img, dtype=np.float32)
    if arr.ndim == 3:
        arr = arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0)
    return (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def mosaic(images: np.ndarray, ncols: int, pad: int = 2, scale: int = 1, background: float = 1.0) -> np.ndarray:
    """Tile images (N, C, H, W) in [0, 1] into one (rows*H', ncols*W'[, 3]) uint8 picture.

    Each image is enlarged `scale` times by pixel repetition (sharp pixels, no blur) and
    separated by `pad` pixels of `background`.
    """
    n, c, h, w = images.shape
    if n == 0:
        raise ValueError("mosaic needs at least one image")
    ncols = max(1, min(ncols, n))
    rows = -(-n // ncols)
    big = np.repeat(np.repeat(images, scale, axis=2), scale, axis=3)
    hh, ww = h * scale + pad, w * scale + pad
    canvas = np.full((c, rows * hh + pad, ncols * ww + pad), background, np.float32)
    for i in range(n):
        r, col = divmod(i, ncols)
        canvas[:, pad + r * hh: pad + r * hh + h * scale, pad + col * ww: pad + col * ww + w * scale] = big[i]
    return to_uint8(canvas)


def upscale_factor(side: int, target: int = 96) -> int:
    """Integer enlargement that brings a side of `side` pixels to about `target` pixels."""
    return max(1, round(target / max(side, 1)))

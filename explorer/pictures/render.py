"""Turning arrays into pictures (uint8 numpy images for st.image or PNG files)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from explorer.pictures import colormaps


def grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    """(..., H, W) grey values -> (..., H, W, 3): the same value in red, green and blue."""
    return np.repeat(np.asarray(grey)[..., None], 3, axis=-1)


def as_rgb(img: np.ndarray) -> np.ndarray:
    """(H, W) grey or (H, W, 3) colour -> (H, W, 3) (a colour picture is returned as it is)."""
    return grey_to_rgb(img) if img.ndim == 2 else img


def to_uint8(img: np.ndarray) -> np.ndarray:
    """(C, H, W) or (H, W) float in [0, 1] -> (H, W) or (H, W, 3) uint8."""
    arr = np.asarray(img, dtype=np.float32)
    if arr.ndim == 3:
        arr = arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0)
    return (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def mosaic(images: np.ndarray, ncols: int, pad: int = 2, scale: int = 1, background: float = 1.0) -> np.ndarray:
    """Tile images (N, C, H, W) in [0, 1] into one (rows*H', ncols*W'[, 3]) uint8 picture
    (`tile` after to_uint8; background in [0, 1])."""
    if len(images) == 0:
        raise ValueError("mosaic needs at least one image")
    tiles = np.stack([to_uint8(im) for im in images])
    return tile(tiles, ncols, scale, pad, int(round(np.clip(background, 0, 1) * 255)))


def tile(tiles: np.ndarray, ncols: int, scale: int = 1, pad: int = 1, background: int = 220) -> np.ndarray:
    """(N, h, w) or (N, h, w, 3) uint8 tiles -> one uint8 picture, `ncols` tiles a row, each
    enlarged `scale` times with sharp pixels, `pad` pixels of `background` between and around."""
    n, h, w = tiles.shape[:3]
    ncols = max(1, min(ncols, n))
    rows = -(-n // ncols)
    hh, ww = h * scale + pad, w * scale + pad
    canvas = np.full((rows * hh + pad, ncols * ww + pad, *tiles.shape[3:]), background, np.uint8)
    for i, one in enumerate(tiles):
        r, c = divmod(i, ncols)
        canvas[pad + r * hh: pad + r * hh + h * scale, pad + c * ww: pad + c * ww + w * scale] = \
            np.repeat(np.repeat(one, scale, axis=0), scale, axis=1)
    return canvas


def upscale_factor(side: int, target: int = 96) -> int:
    """Integer enlargement that brings a side of `side` pixels to about `target` pixels."""
    return max(1, round(target / max(side, 1)))


def thumbnail(img: np.ndarray, side: int = 128) -> np.ndarray:
    """(H, W) or (H, W, 3) uint8 -> the same picture with its longer side near `side` pixels:
    a bigger one shrunk smoothly (area average), a smaller one enlarged by whole pixels, so an
    8x8 digit stays sharp squares instead of a blur."""
    h, w = img.shape[:2]
    if max(h, w) > side:
        f = side / max(h, w)
        small = Image.fromarray(np.ascontiguousarray(img)).resize(
            (max(1, round(w * f)), max(1, round(h * f))), Image.Resampling.BOX)
        return np.asarray(small)
    return colormaps.enlarge(img, side // max(h, w))

"""Safe decoding of user images and their preparation for a model.

Everything a student can upload or show to the webcam goes through `decode`, which either
returns a plain "L" or "RGB" PIL image or raises `ImageError` with a message meant for the
student (never a PIL traceback).
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from explorer import limits
from explorer.data.budget import DecodeBudget

MAX_BYTES = limits.IMAGE_BYTES
MAX_PIXELS = limits.IMAGE_PIXELS
READABLE = limits.IMAGE_FORMATS


class ImageError(ValueError):
    """An image that cannot be used; str(error) is a sentence for the student."""


def decode(data: bytes, max_pixels: int = MAX_PIXELS, *, max_side: int | None = None,
           budget: DecodeBudget | None = None) -> Image.Image:
    """Decode image bytes into a loaded PIL image of mode "L" or "RGB".

    Handles EXIF orientation, transparency (flattened on white), palettes, CMYK, 16-bit and
    float images, and animations (first frame). Raises ImageError for anything unusable.
    Only the decoders in limits.IMAGE_DECODERS ever run (never one that starts a program).

    max_side: the caller shrinks the picture to at most this many pixels a side, so a big one
    is decoded smaller where the format allows (JPEG's DCT scaling) and box-reduced right
    after decoding to between 2x and 4x that side (callers finish with their own filter);
    img.info["original_size"] keeps the size the file declares. budget: charged with the
    pixels decoding will produce, before decoding (BudgetExceeded propagates).
    """
    if not data:
        raise ImageError("The file is empty (0 bytes). Choose the image again.")
    if len(data) > MAX_BYTES:
        raise ImageError(
            f"The file is {len(data) / 2**20:.1f} MB; images up to {MAX_BYTES // 2**20} MB are accepted."
        )
    img = _open(data, max_pixels)
    original = img.size
    if max_side is not None and img.format == "JPEG" and img.mode in ("L", "RGB"):
        img.draft(img.mode, (2 * max_side, 2 * max_side))  # decode at 1/2, 1/4 or 1/8 scale
    if budget is not None:
        budget.charge(img.size[0] * img.size[1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.seek(0)  # animated GIF / WebP / multi-page TIFF: the first frame
            img.load()
            img = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(
            "The image file is incomplete or damaged (it may have been cut off while "
            "uploading). Try saving it again as PNG or JPEG."
        ) from exc
    img = _to_plain_mode(img)
    if max_side is not None and max(img.size) >= 4 * max_side:
        img = img.reduce(max(img.size) // (2 * max_side))
    img.info["original_size"] = original
    return img


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open without decoding pixels, refusing non-images and oversized dimensions."""
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:512].lower():
        raise ImageError(
            "This is an SVG drawing, not a photo. Export it as PNG or JPEG and upload that."
        )
    if data.lstrip()[:4] == b"%!PS" or data[:4] == b"\xc5\xd0\xd3\xc6":  # EPS, as text or binary
        raise ImageError(
            "This is a PostScript (EPS) drawing: a small program rather than a picture, so the "
            "server does not open it. Export it as PNG or JPEG and upload that."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=limits.IMAGE_DECODERS)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise ImageError(f"This file is not an image we can read. Use a {READABLE} file.") from exc
        raise ImageError(_too_large_message(None, max_pixels)) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"This file is not an image we can read. Use a {READABLE} file.") from exc
    w, h = img.size
    if w < 1 or h < 1:
        raise ImageError("The image has no pixels (its width or height is 0).")
    if w * h > max_pixels:
        raise ImageError(_too_large_message((w, h), max_pixels))
    return img


def _too_large_message(size: tuple[int, int] | None, max_pixels: int) -> str:
    what = f"{size[0]} x {size[1]} pixels" if size else "enormous"
    return (
        f"The image is {what}, more than the {max_pixels / 1e6:.0f} megapixels we accept. "
        "Resize it (or take a screenshot of it) and try again."
    )


def _to_plain_mode(img: Image.Image) -> Image.Image:
    """Bring any PIL mode to "L" or "RGB"."""
    mode = img.mode
    if mode in ("L", "RGB"):
        return img
    if mode == "1":
        return img.convert("L")
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _high_depth_to_l(img)
    if mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        base_mode = "L" if mode in ("LA", "La") else "RGB"
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert(base_mode)
    return img.convert("RGB")


def _high_depth_to_l(img: Image.Image) -> Image.Image:
    """16-bit / 32-bit / float images: stretch their value range onto 0-255.

    Memory stays near the decoded picture's own: 16-bit values go through a 65,536-entry
    table, wider ones are scaled a block of rows at a time (a whole-picture float64 copy of a
    40-megapixel 16-bit PNG, five times over, cost 1.4 GB and 3.6 s)."""
    arr = np.asarray(img)
    if arr.ndim == 3:  # some TIFFs decode as several channels
        arr = arr.mean(axis=2)
    lo, hi = _finite_range(arr)
    out = np.empty(arr.shape, np.uint8)
    if arr.dtype.kind == "u" and arr.dtype.itemsize <= 2:
        out[...] = _stretch(np.arange(2 ** (8 * arr.dtype.itemsize), dtype=np.float64), lo, hi)[arr]
    else:
        for r in range(0, arr.shape[0], _ROWS):
            out[r:r + _ROWS] = _stretch(arr[r:r + _ROWS].astype(np.float64), lo, hi)
    return Image.fromarray(out, mode="L")


_ROWS = 256  # rows scaled at once: 256 x 8,000 float64 values are 16 MB


def _finite_range(arr: np.ndarray) -> tuple[float, float]:
    if arr.dtype.kind in "ui":
        return (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
    lo, hi = np.inf, -np.inf
    for r in range(0, arr.shape[0], _ROWS):
        block = arr[r:r + _ROWS]
        finite = block[np.isfinite(block)]
        if finite.size:
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    return (lo, hi) if lo <= hi else (0.0, 0.0)


def _stretch(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """float64 values -> uint8, lo..hi onto 0..255 (NaN as lo, infinities clipped)."""
    if hi <= lo:
        return np.zeros(values.shape, np.uint8)
    scaled = (np.nan_to_num(values, nan=lo) - lo) / (hi - lo) * 255.0
    return np.clip(scaled, 0, 255).astype(np.uint8)


def to_array(img: Image.Image, size: tuple[int, int] | None = None, channels: int = 1) -> np.ndarray:
    """Prepare an image the way the datasets are prepared.

    Returns float32 (channels, H, W) in [0, 1]: grayscale when channels == 1, RGB when 3;
    resized to size=(H, W) with Lanczos filtering when given.
    """
    if channels not in (1, 3):
        raise ValueError("channels must be 1 (grayscale) or 3 (RGB)")
    img = img.convert("L" if channels == 1 else "RGB")
    if size is not None and img.size != (size[1], size[0]):
        img = img.resize((size[1], size[0]), Image.Resampling.LANCZOS)
    arr = np.asarray(img, dtype=np.float32) / 255.0
    return arr[None] if channels == 1 else arr.transpose(2, 0, 1).copy()

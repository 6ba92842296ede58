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

MAX_BYTES = limits.IMAGE_BYTES
MAX_PIXELS = limits.IMAGE_PIXELS
READABLE = limits.IMAGE_FORMATS


class ImageError(ValueError):
    """An image that cannot be used; str(error) is a sentence for the student."""


def decode(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode image bytes into a loaded PIL image of mode "L" or "RGB".

    Handles EXIF orientation, transparency (flattened on white), palettes, CMYK, 16-bit and
    float images, and animations (first frame). Raises ImageError for anything unusable.
    """
    if not data:
        raise ImageError("The file is empty (0 bytes). Choose the image again.")
    if len(data) > MAX_BYTES:
        raise ImageError(
            f"The file is {len(data) / 2**20:.1f} MB; images up to {MAX_BYTES // 2**20} MB are accepted."
        )
    img = _open(data, max_pixels)
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
    return _to_plain_mode(img)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open without decoding pixels, refusing non-images and oversized dimensions."""
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:512].lower():
        raise ImageError(
            "This is an SVG drawing, not a photo. Export it as PNG or JPEG and upload that."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
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
    """16-bit / 32-bit / float images: stretch their value range onto 0-255."""
    arr = np.asarray(img, dtype=np.float64)
    if arr.ndim == 3:  # some TIFFs decode as several channels
        arr = arr.mean(axis=2)
    finite = arr[np.isfinite(arr)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if hi <= lo:
        scaled = np.zeros_like(arr)
    else:
        scaled = (np.nan_to_num(arr, nan=lo) - lo) / (hi - lo) * 255.0
    return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8), mode="L")


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

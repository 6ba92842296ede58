"""PNG bytes for st.image, encoded quickly.

Streamlit encodes numpy arrays itself at PIL's default compression (about 40 ms for a
512x512 colour map on the classroom machine); compression level 1 is several times faster
for files barely larger, and the browser decodes both the same.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def encode_indexed(idx: np.ndarray, palette: np.ndarray, level: int = 1) -> bytes:
    """(H, W) uint8 palette indices and a (N <= 256, 3) uint8 palette -> PNG bytes (mode P)."""
    idx = np.ascontiguousarray(idx, np.uint8)
    pil = Image.frombuffer("P", (idx.shape[1], idx.shape[0]), idx, "raw", "P", 0, 1)
    pil.putpalette(np.ascontiguousarray(palette, np.uint8).tobytes())
    buf = io.BytesIO()
    pil.save(buf, format="PNG", compress_level=level)
    return buf.getvalue()


def encode_photo(img: np.ndarray, quality: int = 90) -> bytes:
    """(H, W, 3) uint8 photo -> JPEG bytes: about 7x faster to encode and 8x smaller than a
    PNG of a 512x512 photo; 4:4:4 keeps thin coloured lines (boxes) crisp."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="JPEG", quality=quality, subsampling=0)
    return buf.getvalue()


def encode(img: np.ndarray | Image.Image, level: int = 1) -> bytes:
    """(H, W) or (H, W, 3) uint8 array, or a PIL image -> PNG bytes."""
    pil = img if isinstance(img, Image.Image) else Image.fromarray(np.ascontiguousarray(img))
    buf = io.BytesIO()
    pil.save(buf, format="PNG", compress_level=level)
    return buf.getvalue()

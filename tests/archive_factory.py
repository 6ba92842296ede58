"""Small zip archives built in code, in the layouts the app reads (no dataset files committed)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

TOP = "Sign-Language-Digits-Dataset-master"


def jpeg_bytes(value: int, size=(100, 100), mode="RGB") -> bytes:
    """A photo-like JPEG whose mean brightness encodes `value` (0-255)."""
    rng = np.random.default_rng(value)
    base = np.full((size[1], size[0], 3), value, np.float64) + rng.normal(0, 6, (size[1], size[0], 3))
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).convert(mode)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=92)
    return buf.getvalue()


def png_bytes(value: int, size=(20, 20), mode="L") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, value if mode == "L" else (value, 255 - value, 0)).save(buf, format="PNG")
    return buf.getvalue()


def sign_digits_zip(path: Path, per_digit: int = 3, digits=range(10), extra: dict | None = None) -> Path:
    """A tiny archive with the real one's layout: <TOP>/Dataset/<d>/IMG_<n>.JPG (+ LICENSE,
    README.md and Examples/ like the download). File names are chosen so that name order
    differs from insertion order."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{TOP}/", "")
        zf.writestr(f"{TOP}/LICENSE", "Apache License 2.0")
        zf.writestr(f"{TOP}/README.md", "# Sign Language Digits")
        zf.writestr(f"{TOP}/Examples/example_0.JPG", jpeg_bytes(1))
        for d in digits:
            zf.writestr(f"{TOP}/Dataset/{d}/", "")
            for k in reversed(range(per_digit)):
                zf.writestr(f"{TOP}/Dataset/{d}/IMG_{d}{k}.JPG", jpeg_bytes(20 * d + k))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def class_zip(files: dict[str, bytes], path: Path | None = None) -> io.BytesIO | Path:
    """A user's zip from {member name: bytes}; written to path, or returned in memory."""
    target = path or io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    if path is None:
        target.seek(0)
        target.name = "my-dataset.zip"
    return target

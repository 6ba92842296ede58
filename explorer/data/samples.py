"""Sample pictures for the Learn pages: ones the project draws itself, and scikit-learn's photos.

The drawn ones are saved under assets/samples/ (by `python -m explorer.data.samples`) so the app
serves them as files; `draw(name)` regenerates them exactly, and a test checks the two agree.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from explorer.launch.paths import ASSETS

SAMPLE_DIR = ASSETS / "samples"
SIZE = 256

DRAWN = {
    "shapes": "Geometric shapes: a square, a circle and a triangle (edges in every direction)",
    "stripes": "Vertical and horizontal stripes (what Sobel x and Sobel y pick out)",
    "checkerboard": "A checkerboard (corners everywhere)",
    "text": "The word CNN in large letters",
    "gradient": "A smooth diagonal gradient with a bright spot (blur barely changes it)",
}
PHOTOS = {
    "china": "A temple in China (scikit-learn's sample photo, 427x640)",
    "flower": "A flower (scikit-learn's sample photo, 427x640)",
}


def names() -> list[str]:
    """All sample names, drawn ones first."""
    return list(DRAWN) + list(PHOTOS)


def describe(name: str) -> str:
    return {**DRAWN, **PHOTOS}[name]


def load(name: str) -> Image.Image:
    """A sample as a PIL image ("L" for drawn ones, "RGB" for photos)."""
    if name in PHOTOS:
        return _photo(name).copy()
    if name not in DRAWN:
        raise KeyError(f"unknown sample {name!r}; choose one of {names()}")
    path = SAMPLE_DIR / f"{name}.png"
    if path.exists():
        with Image.open(path, formats=["PNG"]) as img:
            return img.convert("L")
    return draw(name)


@lru_cache(maxsize=2)
def _photo(name: str) -> Image.Image:
    from sklearn.datasets import load_sample_image

    return Image.fromarray(load_sample_image(f"{name}.jpg"))


def draw(name: str) -> Image.Image:
    """Draw one of the project's own samples: a 256x256 grayscale image."""
    return {
        "shapes": _shapes,
        "stripes": _stripes,
        "checkerboard": _checkerboard,
        "text": _text,
        "gradient": _gradient,
    }[name]()


def _shapes() -> Image.Image:
    img = Image.new("L", (SIZE, SIZE), 20)
    d = ImageDraw.Draw(img)
    d.rectangle((24, 24, 112, 112), fill=230)
    d.ellipse((140, 30, 232, 122), fill=160)
    d.polygon([(128, 140), (40, 236), (216, 236)], fill=200)
    return img


def _stripes() -> Image.Image:
    arr = np.zeros((SIZE, SIZE), np.uint8)
    half = SIZE // 2
    arr[:half] = np.where((np.arange(SIZE) // 16) % 2 == 0, 230, 30)[None, :]
    arr[half:] = np.where((np.arange(half) // 16) % 2 == 0, 230, 30)[:, None]
    return Image.fromarray(arr, mode="L")


def _checkerboard() -> Image.Image:
    i, j = np.indices((SIZE, SIZE)) // 32
    return Image.fromarray(np.where((i + j) % 2 == 0, 235, 25).astype(np.uint8), mode="L")


def _text() -> Image.Image:
    img = Image.new("L", (SIZE, SIZE), 245)
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=110)
    d.text((SIZE // 2, SIZE // 2), "CNN", fill=15, font=font, anchor="mm")
    return img


def _gradient() -> Image.Image:
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    base = (x + y) / (2 * (SIZE - 1)) * 180
    spot = 75 * np.exp(-((x - 170) ** 2 + (y - 80) ** 2) / (2 * 18**2))
    return Image.fromarray(np.clip(base + spot, 0, 255).astype(np.uint8), mode="L")


def save_all() -> None:
    """Write every drawn sample to assets/samples/."""
    SAMPLE_DIR.mkdir(parents=True, exist_ok=True)
    for name in DRAWN:
        draw(name).save(SAMPLE_DIR / f"{name}.png", optimize=True)


if __name__ == "__main__":
    save_all()
    print(f"wrote {len(DRAWN)} samples to {SAMPLE_DIR}")

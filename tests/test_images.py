"""Decoding whatever a student uploads: odd formats become plain images, bad files clear errors."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from explorer.data import images
from explorer.data.images import ImageError, decode


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def gradient_rgb(w=40, h=30) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.uint8)
    arr = np.stack([np.tile(x, (h, 1)), np.full((h, w), 100, np.uint8), np.zeros((h, w), np.uint8)], -1)
    return Image.fromarray(arr)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "WEBP", "TIFF", "GIF"])
def test_common_formats(fmt):
    img = decode(encode(gradient_rgb(), fmt))
    assert img.mode in ("RGB", "L") and img.size == (40, 30)


def test_grayscale_stays_grayscale():
    img = decode(encode(Image.new("L", (8, 8), 77), "PNG"))
    assert img.mode == "L" and np.asarray(img).max() == 77


def test_exif_orientation_is_applied():
    # A 40x30 picture stored with "rotate 90" in EXIF must come out 30x40.
    exif = Image.Exif()
    exif[0x0112] = 6
    img = decode(encode(gradient_rgb(), "JPEG", exif=exif.tobytes()))
    assert img.size == (30, 40)


def test_transparency_is_flattened_on_white():
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 0))  # fully transparent red
    img = decode(encode(rgba, "PNG"))
    assert img.mode == "RGB" and img.getpixel((5, 5)) == (255, 255, 255)
    la = Image.new("LA", (4, 4), (0, 255))  # opaque black
    assert decode(encode(la, "PNG")).getpixel((1, 1)) == 0


def test_palette_with_transparency():
    p = Image.new("P", (6, 6), 1)
    p.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    img = decode(encode(p, "PNG", transparency=0))
    assert img.mode == "RGB" and img.getpixel((2, 2)) == (0, 0, 255)


def test_cmyk_becomes_rgb():
    img = decode(encode(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"))
    r, g, b = img.getpixel((4, 4))
    assert img.mode == "RGB" and r > 200 and g < 60 and b < 60


def test_16_bit_keeps_its_contrast():
    arr = np.linspace(0, 4095, 64 * 64).reshape(64, 64).astype(np.uint16)  # a 12-bit camera
    img = decode(encode(Image.fromarray(arr), "PNG"))
    out = np.asarray(img)
    assert img.mode == "L" and out.min() == 0 and out.max() == 255


def test_float_tiff():
    arr = np.linspace(-1, 1, 100, dtype=np.float32).reshape(10, 10)
    img = decode(encode(Image.fromarray(arr, mode="F"), "TIFF"))
    assert img.mode == "L" and np.asarray(img)[0, 0] == 0 and np.asarray(img)[-1, -1] == 255


def test_animated_gif_gives_first_frame():
    frames = [Image.new("L", (10, 10), v) for v in (10, 200, 90)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    img = decode(data)
    assert img.size == (10, 10) and abs(np.asarray(img.convert("L")).mean() - 10) < 3


@pytest.mark.parametrize(
    "data,fragment",
    [
        (b"", "empty"),
        (b"this is a text file renamed to .png\n" * 10, "not an image"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"<svg width='10' height='10'></svg>", "SVG"),
    ],
)
def test_unusable_files_get_clear_messages(data, fragment):
    with pytest.raises(ImageError, match=fragment):
        decode(data)


def test_truncated_file():
    data = encode(gradient_rgb(200, 200), "PNG")
    with pytest.raises(ImageError, match="incomplete or damaged"):
        decode(data[: len(data) // 2])
    jpg = encode(gradient_rgb(200, 200), "JPEG")
    with pytest.raises(ImageError, match="incomplete or damaged"):
        decode(jpg[: len(jpg) // 3])


def test_decompression_bomb_is_refused_before_decoding():
    bomb = encode(Image.new("1", (10_000, 5_000)), "PNG")  # 50 megapixels in a few kB
    assert len(bomb) < 100_000
    with pytest.raises(ImageError, match="10000 x 5000.*megapixels"):
        decode(bomb)


def test_oversized_file_is_refused():
    with pytest.raises(ImageError, match="MB"):
        decode(b"\x89PNG" + b"0" * (images.MAX_BYTES + 1))


def test_to_array_matches_dataset_preprocessing():
    img = gradient_rgb(100, 100)
    gray = images.to_array(img, (64, 64), channels=1)
    rgb = images.to_array(img, (32, 16), channels=3)
    assert gray.shape == (1, 64, 64) and gray.dtype == np.float32
    assert rgb.shape == (3, 32, 16) and 0 <= rgb.min() and rgb.max() <= 1
    ref = np.asarray(img.convert("L").resize((64, 64), Image.Resampling.LANCZOS)) / 255.0
    np.testing.assert_allclose(gray[0], ref, atol=1e-6)

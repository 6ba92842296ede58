"""The Convolution page's pictures: what the student sees matches the numbers."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from explorer.learn import conv_pictures, convolution
from explorer.pictures import colormaps, render


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def test_palette_map_shows_the_same_colours_as_the_rgb_map():
    rng = np.random.default_rng(0)
    signed = rng.normal(size=(200, 300)).astype(np.float32)
    for arr in (signed, convolution.relu(signed)):
        got = decode(conv_pictures.map_picture(arr))
        assert got.shape == (200, 300, 3)
        assert np.abs(got - colormaps.auto(arr)).max() <= 1  # grey has 255 levels, not 256


def test_the_chosen_output_pixel_is_boxed_and_small_maps_are_enlarged():
    out = np.zeros((10, 10), np.float32)
    got = decode(conv_pictures.map_picture(out, cell=(2, 7)))
    s = conv_pictures.scale_for(10)
    assert got.shape == (10 * s, 10 * s, 3) and s > 1
    assert tuple(got[2 * s, 7 * s]) == (255, 200, 0)  # the box's corner is highlighted
    assert tuple(got[5 * s, 2 * s]) == (0, 0, 0)  # elsewhere the all-zero map is black


def test_large_input_goes_as_jpeg_with_tint_and_box():
    x = np.full((3, 256, 256), 0.5, np.float32)
    data = conv_pictures.input_picture(render.to_uint8(x), dropped=(2, 0), box=((10, 20), (30, 40)))
    assert data[:2] == b"\xff\xd8"  # JPEG
    img = decode(data)
    r, g, b = img[255, 100]
    assert r > 150 and g < 100 and b < 100  # dropped rows are tinted red
    r, g, b = img[10, 35]
    assert r > 200 and g > 160 and b < 80  # top edge of the receptive field box is yellow
    assert np.abs(img[128, 128] - 128).max() <= 3  # the picture itself survives


def test_small_input_stays_exact_png():
    x = np.linspace(0, 1, 64 * 64, dtype=np.float32).reshape(1, 64, 64)
    data = conv_pictures.input_picture(render.to_uint8(x), dropped=(0, 0), box=((0, 2), (0, 2)))
    assert data[:4] == b"\x89PNG"
    img = decode(data)
    s = conv_pictures.scale_for(64)
    assert img.shape == (64 * s, 64 * s, 3)
    assert img[40 * s, 40 * s, 0] == round(x[0, 40, 40] * 255)


def test_padding_is_drawn_as_a_frame_of_zeros():
    """Issue #14: padding was invisible on the input; it is a black frame now."""
    import io

    from PIL import Image

    from explorer.learn import conv_pictures

    img = np.full((8, 8), 200, np.uint8)
    plain = np.asarray(Image.open(io.BytesIO(conv_pictures.input_picture(img, (0, 0), ((0, 0), (0, 0))))).convert("RGB"))
    padded = np.asarray(Image.open(io.BytesIO(conv_pictures.input_picture(img, (0, 0), ((0, 0), (0, 0)),
                                                                          ((2, 2), (2, 2))))).convert("RGB"))
    s = plain.shape[0] // 8
    s2 = padded.shape[0] // 12
    assert padded.shape[0] == 12 * s2  # 2 rows of padding on each side
    assert (padded[0, :] == 0).all() and (padded[:, -1] == 0).all()  # the outer frame is zeros
    assert s >= 1


def test_output_as_a_picture_is_grey_and_clipped():
    import io

    from PIL import Image

    from explorer.learn import conv_pictures

    out = np.array([[-1.0, 0.5, 2.0]])
    rgb = np.asarray(Image.open(io.BytesIO(conv_pictures.map_picture(out, as_picture=True))).convert("RGB"))
    s = rgb.shape[1] // 3
    left, mid, right = rgb[0, 0], rgb[0, s + s // 2], rgb[0, -1]
    assert tuple(left) == (0, 0, 0) and tuple(right) == (255, 255, 255)
    assert mid[0] == mid[1] == mid[2] and 120 < mid[0] < 135

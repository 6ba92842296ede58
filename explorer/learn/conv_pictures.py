"""The two pictures the Convolution page redraws on every change, as encoded bytes.

The input: the (C, H, W) picture with the rows/columns no window reaches tinted red and the
receptive field of one output pixel boxed. The output: the feature map in colour with that
pixel boxed. Both are enlarged by pixel repetition when small. The encodings are chosen
for speed (see png.py): JPEG for large inputs (photos), palette PNG for maps.
"""

from __future__ import annotations

import numpy as np

from explorer.pictures import colormaps, png, render

SHOW_SIDE = 320  # small pictures are enlarged to about this many pixels
PHOTO_MIN_SIDE = 160  # from this size the input goes as JPEG; smaller ones stay exact PNG

Box = tuple[tuple[int, int], tuple[int, int]]  # (first row, last row), (first col, last col)


def scale_for(side: int) -> int:
    """Pixel-repeat factor for a picture whose longer side is `side`."""
    return render.upscale_factor(side, SHOW_SIDE) if side < SHOW_SIDE // 2 else 1


def _scaled(box: Box, s: int) -> Box:
    (r0, r1), (q0, q1) = box
    return (r0 * s, (r1 + 1) * s - 1), (q0 * s, (q1 + 1) * s - 1)


PAD_LINE = np.array([59, 111, 216], np.uint8)  # the line between the picture and its padding


def input_picture(img: np.ndarray, dropped: tuple[int, int], box: Box,
                  pads: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))) -> bytes:
    """img: (H, W) or (H, W, 3) uint8 (render.to_uint8 of the picture, cached by the page);
    dropped = (rows, cols) at the bottom/right that no window reaches; box = receptive field
    (unpadded input coordinates); pads = ((top, bottom), (left, right)) zero padding, drawn
    as a black frame of zeros around the picture with a blue line where the picture ends.
    Returns JPEG (large pictures) or PNG bytes."""
    (pt, pb), (pl, pr) = pads
    s = scale_for(max(img.shape[0] + pt + pb, img.shape[1] + pl + pr))
    img = render.as_rgb(img)
    img = colormaps.enlarge(img, s) if s > 1 else img.copy()
    red = np.array([230, 40, 40], np.float32)
    drop_h, drop_w = dropped[0] * s, dropped[1] * s
    if drop_h:
        img[-drop_h:] = (img[-drop_h:] * 0.45 + red * 0.55).astype(np.uint8)
    if drop_w:
        img[:, -drop_w:] = (img[:, -drop_w:] * 0.45 + red * 0.55).astype(np.uint8)
    if pt or pb or pl or pr:
        h, w = img.shape[:2]
        img = np.pad(img, ((pt * s, pb * s), (pl * s, pr * s), (0, 0)))  # zeros: black
        line = max(1, s // 4)
        top, left = pt * s, pl * s
        for r0, r1, c0, c1 in ((top - line, top, left - line, left + w + line),
                               (top + h, top + h + line, left - line, left + w + line),
                               (top - line, top + h + line, left - line, left),
                               (top - line, top + h + line, left + w, left + w + line)):
            img[max(r0, 0): r1, max(c0, 0): c1] = PAD_LINE
        (r0, r1), (q0, q1) = box
        box = ((r0 + pt, r1 + pt), (q0 + pl, q1 + pl))
    colormaps.draw_box(img, *_scaled(box, s), width=max(2, s // 2), copy=False)
    if max(img.shape[:2]) >= PHOTO_MIN_SIDE and s == 1:
        return png.encode_photo(img)
    return png.encode(img)


def map_picture(out: np.ndarray, cell: tuple[int, int] | None = None, lim: float | None = None,
                as_picture: bool = False) -> bytes:
    """A (H', W') feature map in colour (colormaps.indexed), the output pixel `cell` boxed,
    as palette PNG bytes. as_picture: the values drawn as a photo is (0 black, 1 white,
    clipped), so Sharpen or Emboss on a photo look like a sharpened or embossed photo."""
    if as_picture:
        idx = (np.clip(np.asarray(out, np.float32), 0.0, 1.0) * 254 + 0.5).astype(np.uint8)
        palette = colormaps.GREY_PALETTE
    else:
        idx, palette = colormaps.indexed(out, lim)
    s = scale_for(max(idx.shape))
    idx = colormaps.enlarge(idx, s)
    if cell is not None:
        i, j = cell
        idx = colormaps.draw_box(idx, *_scaled(((i, i), (j, j)), s), color=colormaps.HIGHLIGHT, width=2,
                                 copy=False)
    return png.encode_indexed(idx, palette)

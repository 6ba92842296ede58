"""The course's picture of a CNN: boxes that shrink in height and width and grow in depth,
then thin bars for the dense layers. Drawn with PIL as one PNG-ready RGB array."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from explorer.models.summary import Summary

KIND_COLOURS = {"input": (200, 200, 200), "conv": (110, 160, 230), "pool": (240, 170, 90),
                "mixed": (150, 200, 150), "dense": (200, 120, 200)}
KIND_WORDS = {"conv": "conv", "pool": "pool"}


@dataclass(frozen=True)
class Volume:
    """One box (or bar) of the picture: a shape and the layers that produced it."""

    shape: tuple[int, ...]  # (C, H, W) or (features,)
    label: str
    kind: str


def volumes(s: Summary) -> list[Volume]:
    """The input, then one box per change of shape made by convolutions and poolings (layers
    in a row with the same output are merged, e.g. VGG's 3 convs), then each dense layer."""
    out = [Volume(s.input_shape, "input", "input")]
    group: list = []

    def flush() -> None:
        if not group:
            return
        order = list(dict.fromkeys(r.kind for r in group))  # kinds in the order they ran
        counts = {k: sum(r.kind == k for r in group) for k in order}
        parts = [f"{n} {KIND_WORDS[k]}" if n > 1 else KIND_WORDS[k] for k, n in counts.items()]
        kinds = order
        out.append(Volume(group[-1].output_shape, " + ".join(parts), kinds[0] if len(kinds) == 1 else "mixed"))
        group.clear()

    def block_of(name: str):
        return next((b for b in s.blocks if not b.name or name.startswith(b.name + ".")), None)

    last_in_block = {}
    for i, row in enumerate(s.rows):
        b = block_of(row.name)
        if b is not None:
            last_in_block[b.name] = i
    for i, row in enumerate(s.rows):
        b = block_of(row.name)
        if b is not None:
            if last_in_block[b.name] == i:
                flush()
                label = b.name.rsplit(".", 1)[-1] or b.layer
                out.append(Volume(b.output_shape, label, "mixed"))
        elif row.kind == "dense":
            flush()
            out.append(Volume(row.output_shape, "dense", "dense"))
        elif row.kind in ("conv", "pool") and len(row.output_shape) == 3:
            if group and row.output_shape != group[-1].output_shape:
                flush()
            group.append(row)
    flush()
    return out


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without a scalable default font
        return ImageFont.load_default()


def draw(s: Summary, height: int = 330) -> np.ndarray:
    """(H, W, 3) uint8 picture of the model's volumes, left to right."""
    vols = volumes(s)
    sides = [v.shape[1] for v in vols if len(v.shape) == 3]
    max_side = max(sides) if sides else 1
    max_feat = max([v.shape[0] for v in vols if len(v.shape) == 1] or [1])
    box_h = height - 110

    def side_px(n: int) -> int:  # square root keeps 7x7 visible next to 224x224
        return int(10 + (box_h - 10) * math.sqrt(n / max_side))

    def depth_px(c: int) -> int:  # log: 3 channels thin, 512 thick but not wall-to-wall
        return int(4 + 7 * math.log2(c + 1))

    shapes = []
    for v in vols:
        if len(v.shape) == 3:
            c, h, w = v.shape
            shapes.append((depth_px(c), side_px(h), side_px(w) // 2))
        else:
            shapes.append((10, int(20 + (box_h - 20) * math.log10(v.shape[0] + 1) / math.log10(max_feat + 1)), 0))
    # Labels large enough to read once the picture is shrunk to the page (they were 13 and
    # 11 px), and each column as wide as its labels, so neighbouring labels never overlap.
    gap = 24
    small, tiny = _font(17), _font(15)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    sizes = ["x".join(str(n) for n in (v.shape[1:] + v.shape[:1] if len(v.shape) == 3 else v.shape)) for v in vols]
    columns = [max(d + o, int(measure.textlength(t, font=small)), int(measure.textlength(v.label, font=tiny)))
               for (d, _, o), t, v in zip(shapes, sizes, vols)]
    width = sum(columns) + gap * (len(shapes) + 1)
    img = Image.new("RGB", (max(width, 300), height), (255, 255, 255))
    pen = ImageDraw.Draw(img)
    x = gap
    base = height - 50
    for v, (d, h, o), size, column in zip(vols, shapes, sizes, columns):
        fill = KIND_COLOURS[v.kind]
        dark = tuple(int(ch * 0.75) for ch in fill)
        light = tuple(min(255, int(ch * 1.12)) for ch in fill)
        top = base - h
        if o:  # oblique top and side faces give the box its width (W) into the page
            pen.polygon([(x, top), (x + o, top - o // 2), (x + d + o, top - o // 2), (x + d, top)], fill=light, outline=(60, 60, 60))
            pen.polygon([(x + d, top), (x + d + o, top - o // 2), (x + d + o, base - o // 2), (x + d, base)], fill=dark, outline=(60, 60, 60))
        pen.rectangle([x, top, x + d, base], fill=fill, outline=(60, 60, 60))
        pen.text((x, base + 6), size, fill=(20, 20, 20), font=small)
        pen.text((x, base + 27), v.label, fill=(90, 90, 90), font=tiny)
        x += column + gap
    return np.asarray(img)

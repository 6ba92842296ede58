"""Augmentation as AlexNet did it: horizontal mirror images and random crops (224 of 256 in
the paper; here a crop of the same share of a small picture), and why mirroring needs care
with hand signs."""

from __future__ import annotations

import numpy as np

CROP_SHARE = 224 / 256  # the paper's crop side over the picture side


def mirror(img: np.ndarray) -> np.ndarray:
    """(C, H, W) flipped left-right."""
    return np.ascontiguousarray(img[..., ::-1])


def random_crops(img: np.ndarray, n: int, seed: int = 0, share: float = CROP_SHARE) -> list[tuple[np.ndarray, tuple[int, int]]]:
    """n crops of side round(share * side) at random positions: [(crop (C, h, w), (top, left))]."""
    rng = np.random.default_rng(seed)
    _, h, w = img.shape
    ch, cw = max(1, round(h * share)), max(1, round(w * share))
    out = []
    for _ in range(n):
        top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        out.append((img[:, top:top + ch, left:left + cw], (top, left)))
    return out


def batch(images: np.ndarray, n: int, seed: int = 0) -> list[tuple[np.ndarray, str]]:
    """A preview batch: each picture randomly mirrored (p = 0.5) and randomly cropped, with a
    label saying what was done."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        img = images[i % len(images)]
        flipped = bool(rng.random() < 0.5)
        src = mirror(img) if flipped else img
        crop, (top, left) = random_crops(src, 1, int(rng.integers(1 << 30)))[0]
        out.append((crop, f"{'mirrored, ' if flipped else ''}crop at ({top}, {left})"))
    return out

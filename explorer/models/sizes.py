"""The smallest input an architecture accepts (e.g. to tell a student, or to decide how far
to enlarge 8x8 digits before training)."""

from __future__ import annotations

import torch

from explorer.models.catalog import build
from explorer.models.shapes import InputTooSmall, output_shape


def fits(name: str, in_channels: int, side: int, num_classes: int | None = None) -> bool:
    """Whether a side x side picture with in_channels makes it through (shapes only)."""
    options = {"in_channels": in_channels, "input_size": (side, side)}
    if num_classes:
        options["num_classes"] = num_classes
    try:
        with torch.device("meta"):
            model = build(name, **options)
        output_shape(model, (in_channels, side, side))
        return True
    except InputTooSmall:
        return False


def smallest_side(name: str, in_channels: int, num_classes: int | None = None,
                  limit: int = 512) -> int | None:
    """Smallest square side that works, by bisection (a larger picture never shrinks to
    nothing earlier); None if even `limit` is too small."""
    if not fits(name, in_channels, limit, num_classes):
        return None
    lo, hi = 1, limit
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fits(name, in_channels, mid, num_classes) else (mid + 1, hi)
    return lo

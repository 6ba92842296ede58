"""Summaries and pictures of the architectures (built on the meta device: shapes only, no
weights, so even VGG-19 costs nothing), computed once for the whole class
(cached.shared_results: a hit hands out the stored value, where st.cache_data unpickled a copy
on every run, and the picture is kept as PNG bytes, not encoded again on every run)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch
from PIL import Image
from streamlit.elements.lib.image_utils import MAXIMUM_CONTENT_WIDTH

from explorer import models
from explorer.learn import volumes
from explorer.models import sizes
from explorer.models.summary import Summary
from explorer.pictures import png
from explorer.ui import cached


def _build(name: str, channels: int, side: int, classes: int | None) -> torch.nn.Module:
    options = {"in_channels": channels, "input_size": (side, side)}
    if classes:
        options["num_classes"] = classes
    with torch.device("meta"):
        return models.build(name, **options)


def summary(name: str, channels: int, side: int, classes: int | None) -> Summary:
    """Rows and totals for one input size (shared: do not modify); raises models.InputTooSmall
    (not stored)."""
    return cached.shared_results().get(
        ("zoo_summary", name, channels, side, classes),
        lambda: models.summary(_build(name, channels, side, classes), (channels, side, side)))


def picture(name: str, channels: int, side: int, classes: int | None) -> bytes:
    """The volumes picture as PNG bytes, at most as wide as st.image draws it."""
    return cached.shared_results().get(
        ("zoo_picture", name, channels, side, classes),
        lambda: png.encode(fit_width(volumes.draw(summary(name, channels, side, classes)))))


def fit_width(img: np.ndarray) -> Image.Image | np.ndarray:
    """(H, W, 3) uint8 scaled down to st.image's widest picture, the way st.image scales it.

    st.image decodes a wider PNG, resizes it and encodes it again on every call, for every
    student (VGG-16's 1623 px: ~15 ms of the server's CPU per run); done once here, the stored
    bytes are sent as they are and the student sees the same pixels."""
    height, width = img.shape[:2]
    if width <= MAXIMUM_CONTENT_WIDTH:
        return img
    size = (MAXIMUM_CONTENT_WIDTH, int(1.0 * height * MAXIMUM_CONTENT_WIDTH / width))
    return Image.fromarray(np.ascontiguousarray(img)).resize(size, resample=Image.BILINEAR)


@st.cache_data(max_entries=64, show_spinner=False)
def default_classes(name: str) -> int | None:
    """Outputs of the architecture as registered (10 for the course's nets, 1000 for
    ImageNet's), None for a module that is not a classifier (Inception 3a)."""
    info = models.info(name)
    out = models.summary(_build(name, info.input_size[0], info.input_size[1], None), info.input_size).output_shape
    return out[0] if len(out) == 1 else None


@st.cache_data(max_entries=64, show_spinner=False)
def smallest_side(name: str, channels: int, classes: int | None) -> int | None:
    """The smallest square input the architecture accepts (None: not even 512)."""
    return sizes.smallest_side(name, channels, classes)

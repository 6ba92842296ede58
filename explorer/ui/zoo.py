"""Cached summaries and pictures of the architectures (built on the meta device: shapes
only, no weights, so even VGG-19 costs nothing)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from explorer import models
from explorer.learn import volumes
from explorer.models import sizes
from explorer.models.summary import Summary


def _build(name: str, channels: int, side: int, classes: int | None) -> torch.nn.Module:
    options = {"in_channels": channels, "input_size": (side, side)}
    if classes:
        options["num_classes"] = classes
    with torch.device("meta"):
        return models.build(name, **options)


@st.cache_data(max_entries=128, show_spinner=False)
def summary(name: str, channels: int, side: int, classes: int | None) -> Summary:
    """Rows and totals for one input size; raises models.InputTooSmall (not cached)."""
    return models.summary(_build(name, channels, side, classes), (channels, side, side))


@st.cache_data(max_entries=64, show_spinner=False)
def picture(name: str, channels: int, side: int, classes: int | None) -> np.ndarray:
    """The volumes picture, (H, W, 3) uint8."""
    return volumes.draw(summary(name, channels, side, classes))


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

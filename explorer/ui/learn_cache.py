"""Cached computations of the Learn pages (per picture key and settings, bounded in size)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.inspect.shared_results import fingerprint
from explorer.learn import convolution, step_walk
from explorer.pictures import png, render
from explorer.ui import cached


def as_uint8(key: str, _x: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, 3) uint8 of picture `key` (array _x, (C, H, W) in [0, 1]), read-only:
    converted once for the class, not on every move of a slider. The class's store hands the
    same array to everybody (st.cache_data copied it, and inspected and hashed its arguments,
    on every call of every run)."""
    return cached.shared_results().get(("learn_uint8", key, _x.shape), lambda: render.to_uint8(_x))


def thumbnail(key: str, _x: np.ndarray, side: int) -> bytes:
    """PNG bytes of the small preview of picture `key` (array _x, (C, H, W) in [0, 1]) that
    section 1 shows (render.thumbnail of as_uint8), encoded once for the class: a page whose
    fragment holds it (Pooling) sends it again on every change."""
    return cached.shared_results().get(("learn_thumb", key, _x.shape, side),
                                       lambda: png.encode(render.thumbnail(as_uint8(key, _x), side)))


def output(key: str, _x: np.ndarray, kernel: np.ndarray, stride: int, padding, dilation: int) -> np.ndarray:
    """(H', W') float32, read-only: picture `key` (array _x, (C, H, W)) convolved with the 2-D
    kernel repeated over its channels, i.e. the sum of per_channel's maps (computed as one
    single-channel convolution of the channels' sum, a third of the work for RGB); once for
    the class per picture and settings."""
    def compute() -> np.ndarray:
        bank = np.broadcast_to(kernel, (_x.shape[0], *kernel.shape))
        return convolution.conv2d(_x, bank.astype(np.float32), stride, padding, dilation)

    settings = (fingerprint(kernel), int(stride), repr(padding), int(dilation))
    return cached.shared_results().get(("learn_output", key, _x.shape, *settings), compute)


@st.cache_data(max_entries=12, show_spinner=False)
def per_channel(key: str, _x: np.ndarray, kernel: np.ndarray, stride: int, padding, dilation: int) -> np.ndarray:
    """(C, H', W') float32: each channel of picture `key` (array _x) correlated with the 2-D
    kernel; their sum is the convolution with the kernel repeated over the channels."""
    bank = np.broadcast_to(kernel, (_x.shape[0], *kernel.shape))
    return convolution.conv2d_per_channel(_x, bank.astype(np.float32), stride, padding, dilation)


@st.cache_data(max_entries=12, show_spinner=False)
def filter_bank(key: str, _x: np.ndarray, bank: np.ndarray, stride: int, padding, dilation: int) -> np.ndarray:
    """(F, H', W') float32: picture `key` through F filters (bank (F, kh, kw), same for every channel)."""
    full = np.repeat(bank[:, None], _x.shape[0], axis=1).astype(np.float32)
    return convolution.conv2d(_x, full, stride, padding, dilation)


@st.cache_data(max_entries=128, show_spinner=False)
def step_frame(x: np.ndarray, w: np.ndarray, stride: int, padding, dilation: int, relu: bool, t: int) -> bytes:
    """PNG of step t of the kernel walking over the small grid x (replays while playing are free)."""
    return png.encode(step_walk.render(step_walk.Walk(x, w, stride, padding, dilation, relu), t))

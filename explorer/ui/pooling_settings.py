"""The Pooling page's controls: what is pooled (the picture or a feature map made with the
Convolution page's kernel) and the window (kind, presets, size, stride, padding)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.inspect.shared_results import fingerprint
from explorer.learn import convolution, kernels
from explorer.ui import cached, live_map, url_state
from explorer.ui.image_source import Picture

MODES = {"max": "Max", "avg": "Average", "sum": "Sum"}
PRESETS = {
    "custom": "Custom",
    "2x2/2": "2x2, stride 2 (no overlap)",
    "3x3/2": "3x3, stride 2 (AlexNet: overlapping)",
}
PRESET_VALUES = {"2x2/2": (2, 2), "3x3/2": (3, 2)}
KINDS = {"feature": "A feature map (convolution, then ReLU)", "picture": "The picture itself"}


@dataclass(frozen=True)
class Source:
    """What is pooled: the picture itself, or its feature map under the Convolution page's
    kernel (stride 1, 'same' padding, channels added up), ReLU on or off."""

    pic: Picture
    kind: str  # "feature" or "picture"
    kernel_name: str
    kernel: np.ndarray
    relu: bool


@dataclass(frozen=True)
class Window:
    """The pooling: kind (max / avg / sum) and a square window."""

    mode: str
    size: int
    stride: int
    padding: int

    @property
    def overlap(self) -> bool:
        return self.stride < self.size


def conv_kernel() -> tuple[str, np.ndarray]:
    """The Convolution page's current kernel (Sobel x when that page has not been opened)."""
    return st.session_state.get("convolution_kernel_current", ("sobel x", kernels.make("sobel x", 3)))


def source(pic: Picture) -> Source:
    """The 'Pool what?' choice and, for a feature map, the kernel's line and the ReLU switch."""
    kind = st.radio("Pool what?", list(KINDS), horizontal=True, key="pooling_input", bind=url_state.BIND,
                    format_func=KINDS.get)
    kname, kernel = conv_kernel()
    relu = True
    if kind == "feature":
        st.caption(f"The kernel comes from the Convolution page: **{kname}**, {kernel.shape[0]}x{kernel.shape[1]} "
                   "(stride 1, 'same' padding, channels added up).")
        relu = st.toggle("ReLU before pooling", value=True, key="pooling_relu", bind=url_state.BIND)
    return Source(pic, kind, kname, kernel, relu)


def input_map(src: Source) -> np.ndarray:
    """(C, H, W) picture or (1, H, W) feature map (ReLU applied when switched on), read-only:
    the same array for every student who pools the same picture with the same kernel."""
    def compute() -> np.ndarray:
        if src.kind == "picture":
            return np.array(src.pic.array)
        fmap = convolution.conv2d_per_channel(
            src.pic.array, np.broadcast_to(src.kernel, (src.pic.array.shape[0], *src.kernel.shape)).astype(np.float32),
            1, "same", 1).sum(axis=0)
        return (convolution.relu(fmap) if src.relu else fmap)[None]

    return cached.shared_results().get(("pooling_input", src.pic.key, src.kind, fingerprint(src.kernel), src.relu),
                                       compute)


_KEYS: dict[int, tuple[weakref.ref, str]] = {}  # id(map) -> (the map, its fingerprint)


def map_key(x: np.ndarray) -> str:
    """fingerprint(x), hashed once per map: the map a run pools comes from the class's store
    (pooling_settings.input_map: read-only, the same array for every student and run), and
    each of the page's shared results is named by it (a 256x256 map: ~0.5 ms per hash)."""
    if x.flags.writeable:  # not from the store: it could change, hash it every time
        return fingerprint(x)
    hit = _KEYS.get(id(x))
    if hit is not None and hit[0]() is x:
        return hit[1]
    key, ident = fingerprint(x), id(x)

    def forget(ref: weakref.ref) -> None:  # the map is gone: its id may name another one later
        if _KEYS.get(ident, (None,))[0] is ref:
            del _KEYS[ident]

    _KEYS[ident] = (weakref.ref(x, forget), key)
    return key


def apply_preset() -> None:
    """Preset buttons set the size and stride sliders (which stay the one source of truth)."""
    choice = st.session_state["pooling_preset"]
    if choice in PRESET_VALUES:
        st.session_state["pooling_size"], st.session_state["pooling_stride"] = PRESET_VALUES[choice]
        st.session_state["pooling_padding"] = 0


def mark_custom() -> None:
    st.session_state["pooling_preset"] = "custom"


def window() -> Window:
    """Kind, preset and the three sliders, with a caption on whether windows overlap."""
    mode = st.segmented_control("Kind", list(MODES), format_func=MODES.get, default="max", required=True,
                                key="pooling_mode", bind=url_state.BIND)
    st.radio("Window", list(PRESETS), format_func=PRESETS.get, horizontal=True, key="pooling_preset",
             bind=url_state.BIND, on_change=apply_preset)
    c1, c2, c3 = st.columns(3)
    # Defaults given to the widgets (not set in session_state) so a link leaves out only these.
    size = c1.slider("Size", live_map.POOL_SIZES[0], live_map.POOL_SIZES[-1], 2, key="pooling_size",
                     bind=url_state.BIND, on_change=mark_custom)
    stride = c2.slider("Stride", live_map.POOL_STRIDES[0], live_map.POOL_STRIDES[-1], 2, key="pooling_stride",
                       bind=url_state.BIND, on_change=mark_custom)
    padding = c3.slider("Padding", live_map.POOL_PADDINGS[0], live_map.POOL_PADDINGS[-1], 0, key="pooling_padding",
                        bind=url_state.BIND, on_change=mark_custom)
    w = Window(mode, size, stride, padding)
    st.caption(("Windows **overlap** (stride < size): a strong value can win several windows"
                if w.overlap else "Windows do **not** overlap (stride ≥ size)")
               + ("; some pixels fall between windows and are never looked at." if stride > size else "."))
    return w

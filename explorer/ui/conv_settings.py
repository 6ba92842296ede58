"""The Convolution page below the kernel: stride, padding, dilation and ReLU, the output-size
formula with the student's numbers, the result and the closer views."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.learn import formula
from explorer.ui import code_panel, conv_result, conv_step, live_map, url_state
from explorer.ui.image_source import Picture
from explorer.ui.kernel_editor import Kernel

VIEWS = {"step": "👣 Step by step", "channels": "🎨 RGB: three maps", "filters": "🧱 Several filters"}


def padding_label(p) -> str:
    return {"valid": "valid (none)", "same": "same (keep size)"}.get(p, str(p))


def settings() -> tuple[int, int | str, int, bool]:
    """Stride, padding, dilation and the ReLU switch, in one row."""
    c1, c2, c3, c4 = st.columns([3, 3, 3, 2], vertical_alignment="bottom")
    stride = c1.slider("Stride", live_map.STRIDES[0], live_map.STRIDES[-1], 1, key="convolution_stride",
                       bind=url_state.BIND)
    padding = c2.select_slider("Padding", live_map.PADDINGS, value=0, key="convolution_padding", bind=url_state.BIND,
                               format_func=padding_label)
    dilation = c3.slider("Dilation", live_map.DILATIONS[0], live_map.DILATIONS[-1], 1, key="convolution_dilation",
                         bind=url_state.BIND)
    relu = c4.toggle("ReLU after", key="convolution_relu", bind=url_state.BIND,
                     help="ReLU after the convolution: negative values become 0 (shown in the output).")
    return stride, padding, dilation, relu


def output_size(shape: tuple[int, int, int], kernel: np.ndarray, stride, padding, dilation):
    """The formula for height and width with the student's numbers: (ax_h, ax_w), or
    (None, None) after explaining why these settings are impossible."""
    channels, height, width = shape
    try:
        ax_h, ax_w = formula.axes((height, width), kernel.shape, stride, padding, dilation)
    except ValueError as exc:
        st.warning(str(exc))
        return None, None
    for ax in (ax_h, ax_w):
        st.latex(ax.latex())
    if ax_h.dilation_latex():
        st.latex(ax_h.dilation_latex())
    for ax in (ax_h, ax_w):
        if ax.error:
            st.warning(ax.error)
        elif ax.note():
            st.info(ax.note())
    if not (ax_h.error or ax_w.error):
        st.markdown(f"Input **{height} x {width}** → output **{ax_h.size} x {ax_w.size}**"
                    + (f" (x {channels} channels summed into one map)" if channels > 1 else ""))
    return ax_h, ax_w


@st.fragment
def below_kernel(pic: Picture, k: Kernel) -> None:
    """Settings, formula, result and closer views. A fragment: moving stride, padding or
    dilation reruns only this part, not the picture and kernel editors above."""
    st.subheader("3. Stride, padding, dilation → output size")
    stride, padding, dilation, relu = settings()
    first, second = st.container(), st.container()
    sizes, results = (second, first) if url_state.presenting() else (first, second)  # presenter: the result first
    with sizes:
        ax_h, ax_w = output_size(pic.array.shape, k.grid, stride, padding, dilation)
    c = conv_result.Setup(pic, k.grid, stride, padding, dilation, relu, ax_h, ax_w)
    if c.valid:
        with results:
            conv_result.result(c, k.by_size())
            code_panel.convolution(c, k.preset)
    else:  # nothing to draw here, but a drag back to a valid setting draws live
        with st.container(key="convolution_output"):
            live_map.show(live_map.conv(pic.array, k.by_size(), (k.grid.shape[0], stride, padding, dilation), relu,
                                        "convolution_output", style={"cell": [0, 0], "colours": "auto"}),
                          key="convolution_live")
    closer_look(c, k)


def closer_look(c: conv_result.Setup, k: Kernel) -> None:
    """Section 5: no view, the step walk, the three colour channels or several filters."""
    st.subheader("5. Look closer")
    # No view open by default: the step view's chart costs the browser ~100 ms on every move
    # of a slider (bench_slider_latency p95 394 -> 263 ms without it).
    view = st.segmented_control("View", list(VIEWS), format_func=VIEWS.get, default=None,
                                key="convolution_view", bind=url_state.BIND, label_visibility="collapsed")
    if view is None:
        st.caption("Pick a view: 👣 the kernel step by step over a small grid (every product and "
                   "sum readable), 🎨 the three colour channels of an RGB picture, or 🧱 several "
                   "filters at once.")
    elif view == "step":
        conv_step.step_view(c, k.by_size())
    elif not c.valid:
        st.info("Fix the settings above (the output is empty) to look closer.")
    elif view == "channels":
        conv_result.channels_view(c)
    elif view == "filters":
        conv_result.filters_view(c, k.size, k.seed)

"""Convolution: slide a kernel over a real picture and see stride, padding and dilation at work."""

import numpy as np
import pandas as pd
import streamlit as st

from explorer.learn import formula, kernels
from explorer.ui import (
    code_panel,
    conv_result,
    conv_step,
    course_sizes,
    flip_note,
    image_source,
    streamlit_fixes,
    url_state,
)

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

PADDINGS = ["valid", 0, 1, 2, 3, 4, 5, "same"]
VIEWS = {"step": "👣 Step by step", "channels": "🎨 RGB: three maps", "filters": "🧱 Several filters"}


def padding_label(p) -> str:
    return {"valid": "valid (none)", "same": "same (keep size)"}.get(p, str(p))


def kernel_grid_start(key: str, start: np.ndarray, size: int) -> tuple[str, np.ndarray]:
    """(editor key, first numbers) of the kernel grid: the preset's, or the edited grid a link
    carries (?convolution_kernel=-1,0,1_-2,0,2_-1,0,1) when it fits this size."""
    shared = url_state.parse_kernel(url_state.incoming("convolution_kernel"), size)
    if shared is not None:
        st.session_state["convolution_shared_grid"] = (key, shared)
    linked_key, linked = st.session_state.get("convolution_shared_grid", (None, None))
    if linked_key != key:
        return key, start
    return f"{key}_linked_{url_state.encode_kernel(linked)}", linked  # a new link, a fresh editor


st.title("🔲 Convolution")
st.write(
    "A **kernel** (a small grid of weights) slides over the picture. At each position the "
    "pixels under it are multiplied by the weights and added up: that sum is one pixel of the "
    "output. Move the settings and watch the formula and the output change."
)
# Presenter mode: the settings and the result come first, the picture and kernel controls below
# them, so the projected first screen shows the visual (issue #14).
presenter_first = st.container()

left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader("1. Picture")
    pic = image_source.pick("convolution")
    for note in pic.notes:
        st.caption(note)

with right:
    st.subheader("2. Kernel")
    c1, c2 = st.columns([2, 1])
    preset = c1.selectbox("Preset", kernels.names(), index=kernels.names().index("sobel x"),
                          key="convolution_preset", bind=url_state.BIND, format_func=str.capitalize)
    size = c2.slider("Size", 1, kernels.MAX_SIZE, 3, key="convolution_size", bind=url_state.BIND)
    seed = 0
    if preset == "random":
        seed = st.number_input("Random seed", 0, 9999, 0, key="convolution_seed", bind=url_state.BIND)
    st.caption(kernels.describe(preset) + " Edit any number below.")
    start = np.round(kernels.make(preset, size, int(seed)), 4)
    grid_key, first = kernel_grid_start(f"convolution_grid_{preset.replace(' ', '_')}_{size}_{seed}", start, size)
    edited = st.data_editor(
        pd.DataFrame(first, columns=[str(c) for c in range(size)]),
        key=grid_key, hide_index=True, width="stretch",
        column_config={str(c): st.column_config.NumberColumn(format="%.3f") for c in range(size)},
    )
    kernel = edited.to_numpy(dtype=np.float64, na_value=0.0)
    if edited.isna().to_numpy().any():
        st.caption("Empty cells count as 0.")
    # An edited grid goes into the address; the preset's own numbers need not.
    url_state.publish("convolution_kernel", None if np.array_equal(kernel, start) else url_state.encode_kernel(kernel))
    st.session_state["convolution_kernel_current"] = (preset, kernel.copy())


def settings() -> tuple[int, int | str, int, bool]:
    """Stride, padding, dilation and the ReLU switch, in one row."""
    c1, c2, c3, c4 = st.columns([3, 3, 3, 2], vertical_alignment="bottom")
    stride = c1.slider("Stride", 1, 5, 1, key="convolution_stride", bind=url_state.BIND)
    padding = c2.select_slider("Padding", PADDINGS, value=0, key="convolution_padding", bind=url_state.BIND,
                               format_func=padding_label)
    dilation = c3.slider("Dilation", 1, 4, 1, key="convolution_dilation", bind=url_state.BIND)
    relu = c4.toggle("ReLU after", key="convolution_relu", bind=url_state.BIND,
                     help="ReLU after the convolution: negative values become 0 (shown in the output).")
    return stride, padding, dilation, relu


def output_size(shape: tuple[int, int, int], kernel, stride, padding, dilation):
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
def below_kernel(pic: image_source.Picture, kernel, size: int, seed: int) -> None:
    """Settings, formula, result and closer views. A fragment: moving stride, padding or
    dilation reruns only this part, not the picture and kernel editors above."""
    st.subheader("3. Stride, padding, dilation → output size")
    stride, padding, dilation, relu = settings()
    first, second = st.container(), st.container()
    sizes, results = (second, first) if url_state.presenting() else (first, second)  # presenter: the result first
    with sizes:
        ax_h, ax_w = output_size(pic.array.shape, kernel, stride, padding, dilation)
    c = conv_result.Setup(pic, kernel, stride, padding, dilation, relu, ax_h, ax_w)
    if c.valid:
        with results:
            conv_result.result(c)
            code_panel.convolution(c, preset)
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
        conv_step.step_view(c)
    elif not c.valid:
        st.info("Fix the settings above (the output is empty) to look closer.")
    elif view == "channels":
        conv_result.channels_view(c)
    elif view == "filters":
        conv_result.filters_view(c, size, seed)


with presenter_first if url_state.presenting() else st.container():
    below_kernel(pic, kernel, size, int(seed))
course_sizes.calculator(size)
with st.expander("Convolution or cross-correlation? (what a CNN layer really computes)"):
    flip_note.two_d(kernel, preset)

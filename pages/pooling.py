"""Pooling: shrink a map by keeping the maximum (or the average, or the sum) of each window."""

import numpy as np
import pandas as pd
import streamlit as st

from explorer.learn import convolution, formula, geometry, grid_charts, kernels, pooling, shift, step_walk
from explorer.pictures import colormaps, png, render
from explorer.ui import code_panel, image_source, learn_cache, pooling_notes, streamlit_fixes, url_state

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

MODES = {"max": "Max", "avg": "Average", "sum": "Sum"}
PRESETS = {
    "custom": "Custom",
    "2x2/2": "2x2, stride 2 (no overlap)",
    "3x3/2": "3x3, stride 2 (AlexNet: overlapping)",
}
PRESET_VALUES = {"2x2/2": (2, 2), "3x3/2": (3, 2)}
SHOW_SIDE = 320


def apply_preset() -> None:
    """Preset buttons set the size and stride sliders (which stay the one source of truth)."""
    choice = st.session_state["pooling_preset"]
    if choice in PRESET_VALUES:
        st.session_state["pooling_size"], st.session_state["pooling_stride"] = PRESET_VALUES[choice]
        st.session_state["pooling_padding"] = 0


def mark_custom() -> None:
    st.session_state["pooling_preset"] = "custom"


def show(where, img: np.ndarray, caption: str) -> None:
    """A picture as PNG bytes, as wide as its column."""
    where.image(png.encode(img), width="stretch", output_format="PNG", caption=caption)


def shown(img: np.ndarray, side: int) -> np.ndarray:
    return colormaps.enlarge(img, render.upscale_factor(side, SHOW_SIDE) if side < SHOW_SIDE // 2 else 1)


def conv_kernel() -> tuple[str, np.ndarray]:
    """The Convolution page's current kernel (Sobel x when that page has not been opened)."""
    return st.session_state.get("convolution_kernel_current", ("sobel x", kernels.make("sobel x", 3)))


st.title("🔽 Pooling")
st.write(
    "Pooling makes a map smaller: it cuts the map into windows and keeps one number per "
    "window: the **maximum**, the **average** or the **sum**. Nothing is learned; it keeps the "
    "strongest responses and makes the network care less about exactly where they are."
)
# Presenter mode: the result right under the title, so the projected first screen shows the
# visual (issue #14); the controls follow.
presenter_first = st.container()
pooling_notes.synonyms()

left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader("1. Input")
    pic = image_source.pick("pooling", max_side=256)
    for note in pic.notes:
        st.caption(note)
    kind = st.radio("Pool what?", ["feature", "picture"], horizontal=True, key="pooling_input", bind=url_state.BIND,
                    format_func={"feature": "A feature map (convolution, then ReLU)",
                                 "picture": "The picture itself"}.get)
    relu = True
    if kind == "feature":
        kname, kernel = conv_kernel()
        st.caption(f"The kernel comes from the Convolution page: **{kname}**, {kernel.shape[0]}x{kernel.shape[1]} "
                   "(stride 1, 'same' padding, channels added up).")
        relu = st.toggle("ReLU before pooling", value=True, key="pooling_relu", bind=url_state.BIND)

with right:
    st.subheader("2. Pooling")
    mode = st.segmented_control("Kind", list(MODES), format_func=MODES.get, default="max", required=True,
                                key="pooling_mode", bind=url_state.BIND)
    st.radio("Window", list(PRESETS), format_func=PRESETS.get, horizontal=True, key="pooling_preset",
             bind=url_state.BIND, on_change=apply_preset)
    c1, c2, c3 = st.columns(3)
    # Defaults given to the widgets (not set in session_state) so a link leaves out only these.
    size = c1.slider("Size", 1, 6, 2, key="pooling_size", bind=url_state.BIND, on_change=mark_custom)
    stride = c2.slider("Stride", 1, 6, 2, key="pooling_stride", bind=url_state.BIND, on_change=mark_custom)
    padding = c3.slider("Padding", 0, 3, 0, key="pooling_padding", bind=url_state.BIND, on_change=mark_custom)
    overlap = stride < size
    st.caption(("Windows **overlap** (stride < size): a strong value can win several windows"
                if overlap else "Windows do **not** overlap (stride ≥ size)")
               + ("; some pixels fall between windows and are never looked at." if stride > size else "."))


def input_map() -> np.ndarray:
    """(C, H, W) picture or (1, H, W) feature map (ReLU applied when switched on)."""
    if kind == "picture":
        return pic.array
    fmap = learn_cache.per_channel(pic.key, pic.array, kernel, 1, "same", 1).sum(axis=0)
    return (convolution.relu(fmap) if relu else fmap)[None]


x = input_map()
_, height, width = x.shape
st.subheader("3. Output size")
problem = pooling.padding_problem(size, padding)
ax_h = formula.Axis("height", height, size, stride, padding, padding)
ax_w = formula.Axis("width", width, size, stride, padding, padding)
for ax in (ax_h, ax_w):
    st.latex(ax.latex())
for ax in (ax_h, ax_w):
    if ax.error:
        problem = problem or ax.error
    elif ax.note():
        st.info(ax.note())
if problem:
    st.warning(problem)
    st.stop()
st.markdown(f"Input **{height} x {width}** → output **{ax_h.size} x {ax_w.size}** "
            f"({height * width / (ax_h.size * ax_w.size):.1f} times fewer values)")


def picture(m: np.ndarray) -> np.ndarray:
    """A map for st.image: RGB pictures as they are, single maps with the map colour scale."""
    if m.shape[0] == 3:
        lim = max(float(m.max()), 1e-9) if mode == "sum" else 1.0
        return render.to_uint8(m / lim)
    return colormaps.auto(m[0])


pooled = pooling.pool2d(x, size, stride, mode, padding)
result_box = presenter_first if url_state.presenting() else st.container()
result_box.subheader("4. Result")
cols = result_box.columns(3 if kind == "feature" else 2)
if kind == "feature":
    show(cols[0], shown(render.to_uint8(pic.array), max(height, width)), f"Picture {height}x{width}")
    cols = cols[1:]
show(cols[0], shown(picture(x), max(height, width)),
     ("Feature map" + (" after ReLU" if relu else "") if kind == "feature" else "Input")
     + f" {height}x{width}" + ("" if x.shape[0] == 3 else f": {colormaps.legend(x[0])}"))
show(cols[1], shown(picture(pooled), max(pooled.shape[1:])),
     f"{MODES[mode]} pooled {pooled.shape[1]}x{pooled.shape[2]}, drawn at the same width"
     + ("" if x.shape[0] == 3 else f": {colormaps.legend(pooled[0])}"))

code_panel.pooling(pic, kind, conv_kernel()[1], relu, mode, size, stride, padding)


@st.fragment
def window_view() -> None:
    """A small crop as numbers: each window's winner outlined; click an output cell for its window."""
    st.subheader("5. Window by window")
    c1, c2 = st.columns([1, 2])
    n = c1.slider("Grid size", 4, step_walk.MAX_TOY, 8, key="pooling_toy_size", bind=url_state.BIND)
    # Digits first: a drawing's feature map holds two or three values (0 and 3.29 for the
    # default), so max = average there and no overlapping winner shows (issue #14).
    source = c2.radio("Numbers", ["digits", "map"], horizontal=True, key="pooling_toy_source", bind=url_state.BIND,
                      format_func={"map": "the most varied part of the map above",
                                   "digits": "random digits 0-9 (every kind of pooling differs)"}.get)
    grid = step_walk.most_varied(x, n) if source == "map" else step_walk.toy("random digits", n, seed=4)
    try:
        out = pooling.pool2d(grid, size, stride, mode, padding)
    except ValueError as exc:
        st.warning(f"On this {n}x{n} grid: {exc}")
        return
    ho, wo = out.shape
    event = st.session_state.get("pooling_cell_chart")
    cell = grid_charts.selected_cell(event, "cell") if event else None
    i, j = cell if cell and cell[0] < ho and cell[1] < wo else (0, 0)
    (r0, r1), (q0, q1) = geometry.receptive_field(i, j, size, stride, padding)
    window = np.zeros((n, n), bool)
    window[max(r0, 0): r1 + 1, max(q0, 0): q1 + 1] = True
    winners = np.zeros((n, n), bool)
    if mode == "max":
        idx = pooling.pool_argmax(grid, size, stride, padding).ravel()
        winners.flat[idx] = True
        wins = np.bincount(idx, minlength=n * n).reshape(n, n)
    c1, c2 = st.columns([3, 2])
    with c1:
        st.caption(("The most varied part of the map" if source == "map" else "Random digits")
                   + ": thick outline = winner of a window, thin outline = the window of the clicked output cell")
        spec = grid_charts.grid(grid, strong=winners, soft=window, cell=int(np.clip(360 // n, 24, 40)))
        st.vega_lite_chart(spec=spec, width="content", key="pooling_input_chart")
    with c2:
        here = np.zeros((ho, wo), bool)
        here[i, j] = True
        st.caption("Output: click a cell")
        spec = grid_charts.grid(out, select="cell", strong=here, cell=int(np.clip(300 // max(ho, wo), 26, 44)))
        st.vega_lite_chart(spec=spec, on_select="rerun", selection_mode="cell", key="pooling_cell_chart",
                           width="content")
    what = {"max": "the largest", "avg": "the average of the", "sum": "the sum of the"}[mode]
    st.caption(f"Output ({i}, {j}) = {step_walk.fmt(out[i, j])}: {what} values in input rows {formula.between(r0, r1)}, "
               f"columns {formula.between(q0, q1)} (outside 0 to {n - 1} is padding: -∞ for max, 0 for average and sum).")
    if mode == "max" and overlap:
        st.caption(f"Overlapping windows: {int((wins > 1).sum())} value(s) win more than one window.")


window_view()


def overlap_view() -> None:
    st.subheader("6. Overlapping or not")
    pairs = [("2x2, stride 2", 2, 2), ("3x3, stride 2 (AlexNet)", 3, 2)]
    cols = st.columns(2)
    for col, (name, k, s) in zip(cols, pairs):
        try:
            p = pooling.pool2d(x, k, s, mode)
        except ValueError as exc:
            col.warning(str(exc))
            continue
        change = shift.measure(x, 1, k, s, mode)[0].pooled
        show(col, shown(picture(p), max(p.shape[1:])),
             f"{name}: {p.shape[1]}x{p.shape[2]}; a 1-pixel shift changes it by {change:.0%}")
    pooling_notes.windows_per_pixel(x.shape[1], x.shape[2])


overlap_view()


@st.fragment
def shift_view() -> None:
    st.subheader("7. Shift invariance, measured")
    st.write("Move the input a few pixels and compare the map before and after: how much does "
             "the raw map change, and how much the pooled map?")
    c1, c2 = st.columns(2)
    k = c1.slider("Shift by up to (pixels)", 1, 8, 4, key="pooling_shift", bind=url_state.BIND)
    direction = c2.radio("Direction", ["horizontal", "vertical"], horizontal=True, key="pooling_direction",
                         bind=url_state.BIND)
    try:
        rows = shift.measure(x, k, size, stride, mode, padding, direction)
    except ValueError as exc:
        st.warning(str(exc))
        return
    long = [{"map": name, "shift": r.shift, "change": getattr(r, attr)}
            for r in rows for name, attr in (("raw map", "raw"), (f"{MODES[mode].lower()} pooled", "pooled"))]
    st.vega_lite_chart(spec=url_state.readable(grid_charts.shift_lines(long)), width="stretch")
    table = pd.DataFrame([{"shift (px)": r.shift, "raw map changes by": f"{r.raw:.1%}",
                           "pooled map changes by": f"{r.pooled:.1%}",
                           "raw values unchanged": f"{r.raw_same:.0%}",
                           "pooled values unchanged": f"{r.pooled_same:.0%}"} for r in rows])
    st.dataframe(table, hide_index=True, width="stretch")
    first = rows[0]
    verdict = "less" if first.pooled < first.raw else "not less"
    at_stride = next((r for r in rows if r.shift == stride), None)
    # Only what these numbers show: the caption claimed a dip at the stride that the data
    # often did not have (issue #14).
    stride_note = (f" At a shift of exactly the stride ({stride} px) every window moves by one whole "
                   f"cell; here the pooled map then changes by {at_stride.pooled:.0%} (the raw map by "
                   f"{at_stride.raw:.0%})." if at_stride is not None and stride > 1 else "")
    st.caption(f"A 1-pixel shift changes the raw map by {first.raw:.0%} and the pooled map by "
               f"{first.pooled:.0%} ({verdict}). Change = mean |after - before| / mean |before|; "
               "'unchanged' counts the values that are not 0 before or after." + stride_note
               + " Pooling makes small shifts matter less, it does not make them vanish.")


shift_view()
pooling_notes.stride_one_correction(height, width)
pooling_notes.equivariance_view(x, *conv_kernel()[::-1], size, stride)

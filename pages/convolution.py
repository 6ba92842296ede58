"""Convolution: slide a kernel over a real picture and see stride, padding and dilation at work."""

import numpy as np
import pandas as pd
import streamlit as st

from explorer import charts, colormaps, formula, kernels, ops, png, render, stepper
from explorer.ui import image_source, learn_cache, url_state

PADDINGS = ["valid", 0, 1, 2, 3, 4, 5, "same"]
VIEWS = {"step": "👣 Step by step", "channels": "🎨 RGB: three maps", "filters": "🧱 Several filters"}
SHOW_SIDE = 320  # small pictures are enlarged to about this many pixels


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

    c1, c2, c3 = st.columns(3)
    stride = c1.slider("Stride", 1, 5, 1, key="convolution_stride", bind=url_state.BIND)
    padding = c2.select_slider("Padding", PADDINGS, value=0, key="convolution_padding", bind=url_state.BIND,
                               format_func=padding_label)
    dilation = c3.slider("Dilation", 1, 4, 1, key="convolution_dilation", bind=url_state.BIND)
    relu = st.toggle("ReLU after the convolution (negative values become 0)", key="convolution_relu", bind=url_state.BIND)

channels, height, width = pic.array.shape
st.subheader("3. Output size")
try:
    ax_h, ax_w = formula.axes((height, width), kernel.shape, stride, padding, dilation)
except ValueError as exc:
    ax_h = ax_w = None
    st.warning(str(exc))
if ax_h is not None:
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
valid = ax_h is not None and not (ax_h.error or ax_w.error)


def input_picture(drop_h: int, drop_w: int) -> np.ndarray:
    """(H, W, 3) uint8 of the picture with the dropped rows/columns tinted red."""
    img = render.to_uint8(pic.array)
    img = np.repeat(img[..., None], 3, axis=2) if img.ndim == 2 else img.copy()
    red = np.array([230, 40, 40], np.float32)
    if drop_h:
        img[height - drop_h:] = (img[height - drop_h:] * 0.45 + red * 0.55).astype(np.uint8)
    if drop_w:
        img[:, width - drop_w:] = (img[:, width - drop_w:] * 0.45 + red * 0.55).astype(np.uint8)
    return img


def show(where, img: np.ndarray, caption: str) -> None:
    """A picture as PNG bytes, as wide as its column."""
    where.image(png.encode(img), width="stretch", output_format="PNG", caption=caption)


def shown(img: np.ndarray, side: int) -> tuple[np.ndarray, int]:
    scale = render.upscale_factor(side, SHOW_SIDE) if side < SHOW_SIDE // 2 else 1
    return colormaps.enlarge(img, scale), scale


def clamp(key: str, top: int) -> None:
    """Start a slider in the middle and keep its value inside a range that just shrank."""
    st.session_state.setdefault(key, top // 2)
    if st.session_state[key] > top:
        st.session_state[key] = top


@st.fragment
def result(maps: np.ndarray) -> None:
    """Input and output side by side; the receptive field of a chosen output pixel outlined."""
    out = maps.sum(axis=0)
    out = ops.relu(out) if relu else out
    ho, wo = out.shape
    st.subheader("4. Result")
    with st.expander("🎯 Receptive field: which input pixels made one output pixel?", expanded=False):
        clamp("convolution_rf_row", ho - 1)
        clamp("convolution_rf_col", wo - 1)
        c1, c2 = st.columns(2)
        i = c1.slider("Output row", 0, max(ho - 1, 1), key="convolution_rf_row", disabled=ho == 1)
        j = c2.slider("Output column", 0, max(wo - 1, 1), key="convolution_rf_col", disabled=wo == 1)
        (r0, r1), (q0, q1) = ops.receptive_field(i, j, kernel.shape, stride, (ax_h.before, ax_w.before), dilation)
        st.caption(f"Output ({i}, {j}) = {out[i, j]:.4g} comes from input rows {r0}-{r1} and columns "
                   f"{q0}-{q1} (yellow box; negative numbers or numbers past the edge are padding zeros).")
    src, s_in = shown(input_picture(ax_h.dropped_input, ax_w.dropped_input), max(height, width))
    src = colormaps.draw_box(src, (r0 * s_in, (r1 + 1) * s_in - 1), (q0 * s_in, (q1 + 1) * s_in - 1),
                             width=max(2, s_in // 2))
    dst, s_out = shown(colormaps.auto(out), max(ho, wo))
    dst = colormaps.draw_box(dst, (i * s_out, (i + 1) * s_out - 1), (j * s_out, (j + 1) * s_out - 1), width=2)
    c1, c2 = st.columns(2)
    dropped = " (red: dropped, no window reaches it)" if ax_h.dropped_input or ax_w.dropped_input else ""
    show(c1, src, f"Input {height}x{width}{dropped}")
    show(c2, dst, f"Output {ho}x{wo}" + (" after ReLU" if relu else "") + ": " + colormaps.legend(out))
    if relu:
        raw = maps.sum(axis=0)
        st.caption(f"ReLU set {np.mean(raw < 0):.0%} of the output pixels (the negative ones) to 0.")


if valid:
    result(learn_cache.per_channel(pic.key, pic.array, kernel, stride, padding, dilation))


def channels_view() -> None:
    if channels == 1:
        st.info("This picture has one channel. Choose **RGB** under *Colour* to see the three "
                "colour channels convolved separately and added into one map.")
        return
    maps = learn_cache.per_channel(pic.key, pic.array, kernel, stride, padding, dilation)
    maps = maps.astype(np.float32)
    total = maps.sum(axis=0)
    lim = max(colormaps.limit(maps), colormaps.limit(total))
    st.write("An RGB picture is three grids of numbers. The kernel has one slice per channel "
             "(here the same grid three times); each channel gives a map, and **the three maps "
             "are added into one**" + (" before ReLU." if relu else "."))
    cols = st.columns(4)
    for col, name, m in zip(cols, ("Red", "Green", "Blue"), maps):
        show(col, shown(colormaps.diverging(m, lim), max(m.shape))[0], f"{name} channel * kernel")
    last = ops.relu(total) if relu else total
    show(cols[3], shown(colormaps.auto(last, None if relu else lim), max(last.shape))[0],
         "Sum of the three" + (", then ReLU" if relu else ""))
    st.caption("Same colour scale for all three maps: " + colormaps.legend(maps, lim))


def filters_view() -> None:
    chosen = st.multiselect("Filters (all of size %d)" % size, kernels.names(),
                            default=["sobel x", "sobel y", "laplacian", "gaussian"],
                            key="convolution_bank", bind=url_state.BIND, format_func=str.capitalize)
    if not chosen:
        st.info("Choose at least one filter.")
        return
    bank = np.stack([kernels.make(n, size, int(seed)) for n in chosen])
    vol = learn_cache.filter_bank(pic.key, pic.array, bank, stride, padding, dilation)
    vol = ops.relu(vol) if relu else vol
    f, ho, wo = vol.shape
    st.write(f"{f} filters give {f} activation maps: a volume of **{ho} x {wo} x {f}** "
             "(height x width x filters), the input of the next layer in a CNN.")
    cols = st.columns(min(f, 4))
    for k, (name, m) in enumerate(zip(chosen, vol)):
        show(cols[k % len(cols)], shown(colormaps.auto(m), max(m.shape))[0],
             f"{k + 1}. {name.capitalize()}: {colormaps.legend(m)}")


def toy_grid() -> np.ndarray:
    c1, c2 = st.columns(2)
    source = c1.selectbox("Small input", ["crop of the picture", *stepper.TOYS], key="convolution_toy", bind=url_state.BIND,
                          format_func=lambda s: "7x7 (the course's stride-3 example)" if s == "course 7x7" else s,
                          help="Step mode works on a small grid so every number can be read.")
    n = c2.slider("Grid size", 4, stepper.MAX_TOY, 7, key="convolution_toy_size", bind=url_state.BIND,
                  disabled=source == "course 7x7")
    if source == "crop of the picture":
        return stepper.crop(pic.array, n)
    return stepper.toy(source, n)


def set_step(value: int) -> None:
    st.session_state["convolution_step"] = value
    st.session_state["convolution_step_manual"] = True


def pick_cell(walk: stepper.Walk) -> None:
    event = st.session_state.get("convolution_cell_chart")
    cell = charts.selected_cell(event, "cell") if event else None
    if cell is not None:
        set_step(walk.step_of(*cell) + 1)


def step_view() -> None:
    x = toy_grid()
    walk = stepper.Walk(x, kernel, stride, padding, dilation, relu)
    try:
        n = len(walk)
    except ValueError as exc:
        st.warning(f"This small {x.shape[0]}x{x.shape[1]} grid has no output with these settings: {exc}")
        return
    c1, c2 = st.columns([1, 2])
    playing = c1.toggle("▶ Play", key="convolution_play")
    speed = c2.select_slider("Seconds per step", [0.3, 0.5, 1.0, 2.0], value=0.5, key="convolution_speed", bind=url_state.BIND)
    step_player(walk, n, playing, speed)


def step_player(walk: stepper.Walk, n: int, playing: bool, speed: float) -> None:
    @st.fragment(run_every=speed if playing else None)
    def player() -> None:
        state = st.session_state
        current = min(max(int(state.get("convolution_step", 1)), 1), n)
        if playing and not state.pop("convolution_step_manual", False):
            current = current % n + 1  # the timer's tick: one step on, around at the end
        state.pop("convolution_step_manual", None)
        state["convolution_step"] = current
        b = st.columns(4)
        b[0].button("⏮ First", on_click=set_step, args=(1,), key="convolution_first", width="stretch")
        b[1].button("◀ Back", on_click=set_step, args=((current - 2) % n + 1,), key="convolution_back", width="stretch")
        b[2].button("Step ▶", on_click=set_step, args=(current % n + 1,), key="convolution_next", width="stretch")
        b[3].button("Last ⏭", on_click=set_step, args=(n,), key="convolution_last", width="stretch")
        if n > 1:
            st.slider("Jump to step", 1, n, key="convolution_step", on_change=set_step_manual)
        t = current - 1
        st.image(learn_cache.step_frame(walk.x, walk.w, stride, padding, dilation, relu, t), width="stretch",
                 output_format="PNG")
        i, j = walk.cell(t)
        before = (walk.pads[0][0], walk.pads[1][0])
        (r0, r1), (q0, q1) = ops.receptive_field(i, j, walk.w.shape, stride, before, dilation)
        st.caption(f"Receptive field of output ({i}, {j}): input rows {r0}-{r1}, columns {q0}-{q1} "
                   "(counting from 0 in the unpadded input). Click any output cell below to jump there.")
        ho, wo = walk.output.shape
        here = np.zeros((ho, wo), bool)
        here[i, j] = True
        chart = charts.grid(walk.output, select="cell", strong=here, cell=int(np.clip(300 // max(ho, wo), 18, 34)),
                            numbers=max(ho, wo) <= 14)
        st.vega_lite_chart(spec=chart, on_select=lambda: pick_cell(walk), key="convolution_cell_chart",
                           selection_mode="cell", width="content")

    player()
    # Outside the fragment: the timer's reruns would otherwise replace the pending download.
    st.download_button("⬇️ Download the whole animation (GIF)", data=lambda: stepper.gif(walk, int(speed * 1000)),
                       file_name="convolution-steps.gif", mime="image/gif", key="convolution_gif",
                       on_click="ignore")


def set_step_manual() -> None:
    st.session_state["convolution_step_manual"] = True


st.subheader("5. Look closer")
view = st.segmented_control("View", list(VIEWS), format_func=VIEWS.get, default="step", required=True,
                            key="convolution_view", bind=url_state.BIND, label_visibility="collapsed")
if view == "step":
    step_view()
elif not valid:
    st.info("Fix the settings above (the output is empty) to look closer.")
elif view == "channels":
    channels_view()
elif view == "filters":
    filters_view()

"""Step mode of the Convolution page: the kernel walking over a small grid, one window at a
time, with play / pause / step / jump, clickable output cells and a GIF of the whole walk."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.learn import formula, geometry, grid_charts, step_walk
from explorer.ui import learn_cache, live_map, step_formula, url_state
from explorer.ui.conv_result import Setup


def toy_grid(picture: np.ndarray) -> np.ndarray:
    """The small input: a crop of the (C, H, W) picture or one of the toy grids."""
    c1, c2 = st.columns(2)
    source = c1.selectbox("Small input", ["crop of the picture", *step_walk.TOYS], key="convolution_toy",
                          bind=url_state.BIND,
                          format_func=lambda s: "7x7 (the course's stride-3 example)" if s == "course 7x7" else s,
                          help="Step mode works on a small grid so every number can be read.")
    n = c2.slider("Grid size", 4, step_walk.MAX_TOY, 7, key="convolution_toy_size", bind=url_state.BIND,
                  disabled=source == "course 7x7")
    if source == "crop of the picture":
        return step_walk.crop(picture, n)
    return step_walk.toy(source, n)


def set_step(value: int) -> None:
    st.session_state["convolution_step"] = value
    st.session_state["convolution_step_manual"] = True


def set_step_manual() -> None:
    st.session_state["convolution_step_manual"] = True


def pick_cell(walk: step_walk.Walk) -> None:
    event = st.session_state.get("convolution_cell_chart")
    cell = grid_charts.selected_cell(event, "cell") if event else None
    if cell is not None:
        set_step(walk.step_of(*cell) + 1)


OUTPUT_CELLS = grid_charts.CellRule(300, 18, 34)  # the clickable output grid's (and its live grid's)


def step_view(c: Setup, by_size: dict[int, np.ndarray]) -> None:
    """The walk over a small grid; by_size: the kernel of each size, for the output grid that
    follows a dragged slider (live_map)."""
    x = toy_grid(c.pic.array)
    walk = step_walk.Walk(x, c.kernel, c.stride, c.padding, c.dilation, c.relu)
    try:
        n = len(walk)
    except ValueError as exc:
        st.warning(f"This small {x.shape[0]}x{x.shape[1]} grid has no output with these settings: {exc}")
        return
    step_formula.show(walk)
    c1, c2 = st.columns([1, 2])
    # The label says what a click does next: Pause while it plays (issue #14).
    playing = c1.toggle("⏸ Pause" if st.session_state.get("convolution_play") else "▶ Play", key="convolution_play")
    speed = c2.select_slider("Seconds per step", [0.3, 0.5, 1.0, 2.0], value=0.5, key="convolution_speed",
                             bind=url_state.BIND)
    step_player(walk, n, playing, speed, live_map.conv(x, by_size, (c.kernel.shape[0], c.stride, c.padding,
                                                                     c.dilation), c.relu, "convolution_step_output",
                                                       view="grid", cells=url_state.cells(OUTPUT_CELLS)))


def step_player(walk: step_walk.Walk, n: int, playing: bool, speed: float, live) -> None:
    @st.fragment(run_every=speed if playing else None)
    def player() -> None:
        state = st.session_state
        current = min(max(int(state.get("convolution_step", 1)), 1), n)
        if playing and not state.pop("convolution_step_manual", False):
            current = current % n + 1  # the timer's tick: one step on, around at the end
        state.pop("convolution_step_manual", None)
        state["convolution_step"] = current
        buttons(current, n)
        if n > 1:
            st.slider("Jump to step", 1, n, key="convolution_step", on_change=set_step_manual)
        frame(walk, current - 1, live)

    player()
    # Outside the fragment: the timer's reruns would otherwise replace the pending download.
    st.download_button("⬇️ Download the whole animation (GIF)", data=lambda: step_walk.gif(walk, int(speed * 1000)),
                       file_name="convolution-steps.gif", mime="image/gif", key="convolution_gif",
                       on_click="ignore")


def buttons(current: int, n: int) -> None:
    b = st.columns(4)
    b[0].button("⏮ First", on_click=set_step, args=(1,), key="convolution_first", width="stretch")
    b[1].button("◀ Back", on_click=set_step, args=((current - 2) % n + 1,), key="convolution_back", width="stretch")
    b[2].button("Step ▶", on_click=set_step, args=(current % n + 1,), key="convolution_next", width="stretch")
    b[3].button("Last ⏭", on_click=set_step, args=(n,), key="convolution_last", width="stretch")


def frame(walk: step_walk.Walk, t: int, live) -> None:
    """Step t drawn (window, products, sum), its receptive field, and the clickable output grid."""
    st.image(learn_cache.step_frame(walk.x, walk.w, walk.stride, walk.padding, walk.dilation, walk.relu, t),
             width="stretch", output_format="PNG")
    i, j = walk.cell(t)
    before = (walk.pads[0][0], walk.pads[1][0])
    (r0, r1), (q0, q1) = geometry.receptive_field(i, j, walk.w.shape, walk.stride, before, walk.dilation)
    st.caption(f"Receptive field of output ({i}, {j}): input rows {formula.between(r0, r1)}, "
               f"columns {formula.between(q0, q1)} "
               "(counting from 0 in the unpadded input). Click any output cell below to jump there.")
    ho, wo = walk.output.shape
    here = np.zeros((ho, wo), bool)
    here[i, j] = True
    cell = url_state.cells(OUTPUT_CELLS).size(max(ho, wo))
    chart = grid_charts.grid(walk.output, select="cell", strong=here, cell=cell, numbers=max(ho, wo) <= 14)
    with st.container(key="convolution_step_output"):
        st.vega_lite_chart(spec=chart, on_select=lambda: pick_cell(walk), key="convolution_cell_chart",
                           selection_mode="cell", width="content")
        live_map.show(live, key="convolution_step_live")

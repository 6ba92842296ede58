"""The Pooling page's sections after the controls: output size, result, window by window,
overlapping or not, and the shift measure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from explorer.inspect.shared_results import fingerprint
from explorer.learn import formula, grid_charts, pool_windows, pooling, shift, step_walk
from explorer.pictures import colormaps, png, render
from explorer.ui import cached, live_map, pooling_notes, pooling_settings, shared_charts, tables, url_state
from explorer.ui.pooling_settings import MODES, Source, Window


def once(what: str, x: np.ndarray, settings: tuple, compute):
    """A result of this page for the map x and settings, computed once for the whole class (the
    default picture and settings are the same for every student): cached.shared_results."""
    return cached.shared_results().get(("pooling", what, pooling_settings.map_key(x), *settings), compute)


def picture_png(arr: np.ndarray, mode: str, side: int) -> bytes:
    return png.encode(pool_windows.shown(pool_windows.picture(arr, mode), side))


def show(where, img: np.ndarray | bytes, caption: str) -> None:
    """A picture (or its PNG bytes), as wide as its column."""
    where.image(img if isinstance(img, bytes) else png.encode(img), width="stretch", output_format="PNG",
                caption=caption)


def output_size(x: np.ndarray, w: Window) -> bool:
    """Section 3: the formula of both axes with the student's numbers; False after explaining
    why these settings give no output."""
    _, height, width = x.shape
    st.subheader("3. Output size")
    fit = pool_windows.pool_size(height, width, w.size, w.stride, w.padding)
    for ax in (fit.ax_h, fit.ax_w):
        st.latex(ax.latex())
    for ax in (fit.ax_h, fit.ax_w):
        if not ax.error and ax.note():
            st.info(ax.note())
    if fit.problem:
        st.warning(fit.problem)
        with st.container(key="pooling_output"):  # a drag back to a valid window draws live
            live_map.show(live_map.pool(x, (w.size, w.stride, w.padding), w.mode, MODES[w.mode], "pooling_output"),
                          key="pooling_live")
        return False
    st.markdown(f"Input **{height} x {width}** → output **{fit.ax_h.size} x {fit.ax_w.size}** "
                f"({height * width / (fit.ax_h.size * fit.ax_w.size):.1f} times fewer values)")
    return True


@dataclass(frozen=True)
class Shown:
    """Section 4's pictures: the picture (a feature map's source), the map and the pooled map
    as PNG bytes, with the pooled map's shape and the two maps' colour legends."""
    picture: bytes
    map: bytes
    pooled: bytes
    pooled_shape: tuple
    map_legend: str
    pooled_legend: str


def shown(src: Source, x: np.ndarray, w: Window) -> Shown:
    def compute() -> Shown:
        _, height, width = x.shape
        pooled = pooling.pool2d(x, w.size, w.stride, w.mode, w.padding)
        grey = x.shape[0] != 3
        picture = (png.encode(pool_windows.shown(render.to_uint8(src.pic.array), max(height, width)))
                   if src.kind == "feature" else b"")
        return Shown(picture, picture_png(x, w.mode, max(height, width)),
                     picture_png(pooled, w.mode, max(pooled.shape[1:])), pooled.shape,
                     colormaps.legend(x[0]) if grey else "", colormaps.legend(pooled[0]) if grey else "")

    pic = src.pic.key if src.kind == "feature" else ""  # the key names the picture's content
    return once("result", x, (pic, src.kind, w.size, w.stride, w.mode, w.padding), compute)


def result(src: Source, x: np.ndarray, w: Window) -> None:
    """Section 4: (the picture,) the map that is pooled and the pooled map, drawn as wide."""
    _, height, width = x.shape
    out = shown(src, x, w)
    st.subheader("4. Result")
    feature = src.kind == "feature"
    cols = st.columns(3 if feature else 2)
    if feature:
        show(cols[0], out.picture, f"Picture {height}x{width}")
        cols = cols[1:]
    show(cols[0], out.map,
         ("Feature map" + (" after ReLU" if src.relu else "") if feature else "Input")
         + f" {height}x{width}" + (f": {out.map_legend}" if out.map_legend else ""))
    with cols[1].container(key="pooling_output"):
        show(st, out.pooled,
             f"{MODES[w.mode]} pooled {out.pooled_shape[1]}x{out.pooled_shape[2]}, drawn at the same width"
             + (f": {out.pooled_legend}" if out.pooled_legend else ""))
        live_map.show_shared(("pool", pooling_settings.map_key(x), w.size, w.stride, w.padding, w.mode, "pooling_output"),
                             lambda: live_map.pool(x, (w.size, w.stride, w.padding), w.mode, MODES[w.mode],
                                                   "pooling_output"), key="pooling_live")


@st.fragment
def window_view(x: np.ndarray, w: Window) -> None:
    """Section 5: a small crop as numbers: each window's winner outlined; click an output cell
    for its window."""
    st.subheader("5. Window by window")
    c1, c2 = st.columns([1, 2])
    n = c1.slider("Grid size", 4, step_walk.MAX_TOY, 8, key="pooling_toy_size", bind=url_state.BIND)
    # Digits first: a drawing's feature map holds two or three values (0 and 3.29 for the
    # default), so max = average there and no overlapping winner shows (issue #14).
    source = c2.radio("Numbers", ["digits", "map"], horizontal=True, key="pooling_toy_source", bind=url_state.BIND,
                      format_func={"map": "the most varied part of the map above",
                                   "digits": "random digits 0-9 (every kind of pooling differs)"}.get)
    grid = step_walk.most_varied(x, n) if source == "map" else step_walk.toy("random digits", n, seed=4)
    event = st.session_state.get("pooling_cell_chart")
    try:
        win = pool_windows.window(grid, w.size, w.stride, w.mode, w.padding,
                                  grid_charts.selected_cell(event, "cell") if event else None)
    except ValueError as exc:
        st.warning(f"On this {n}x{n} grid: {exc}")
        return
    window_charts(grid, win, source, w)
    (i, j), (r0, r1), (q0, q1) = win.cell, win.rows, win.cols
    what = {"max": "the largest of the", "avg": "the average of the", "sum": "the sum of the"}[w.mode]
    st.caption(f"Output ({i}, {j}) = {step_walk.fmt(win.out[i, j])}: {what} values in input rows "
               f"{formula.between(r0, r1)}, columns {formula.between(q0, q1)} (outside 0 to {n - 1} is padding: "
               "-∞ for max, 0 for average and sum).")
    if win.wins is not None and w.overlap:
        st.caption(f"Overlapping windows: {int((win.wins > 1).sum())} value(s) win more than one window.")


# Cell sizes of the input grid and of the clickable output (which the live grid follows).
INPUT_CELLS = grid_charts.CellRule(360, 24, 40)
OUTPUT_CELLS = grid_charts.CellRule(300, 26, 44)


def window_charts(grid: np.ndarray, win: pool_windows.Window, source: str, w: Window) -> None:
    """The input grid (winners and the clicked cell's window outlined) and the clickable output
    (with the grid that follows a dragged slider: the live view, packed once for the class)."""
    n = grid.shape[0]
    ho, wo = win.out.shape
    c1, c2 = st.columns([3, 2])
    with c1:
        st.caption(("The most varied part of the map" if source == "map" else "Random digits")
                   + ": thick outline = winner of a window, thin outline = the window of the clicked output cell")
        cell = url_state.cells(INPUT_CELLS).size(n)
        # The grids depend only on the numbers and the windows: built once for the class.
        spec = shared_charts.spec(("pooling_grid", fingerprint(grid, win.winners, win.window), cell),
                                  lambda: grid_charts.grid(grid, strong=win.winners, soft=win.window, cell=cell))
        st.vega_lite_chart(spec=spec, width="content", key="pooling_input_chart")
    with c2:
        here = np.zeros((ho, wo), bool)
        here[win.cell] = True
        st.caption("Output: click a cell")
        rule = url_state.cells(OUTPUT_CELLS)
        cell = rule.size(max(ho, wo))
        spec = shared_charts.spec(("pooling_grid_out", fingerprint(win.out, here), cell),
                                  lambda: grid_charts.grid(win.out, select="cell", strong=here, cell=cell))
        with st.container(key="pooling_window_output"):
            st.vega_lite_chart(spec=spec, on_select="rerun", selection_mode="cell", key="pooling_cell_chart",
                               width="content")
            live_map.show_shared(("pool_grid", fingerprint(grid), w.size, w.stride, w.padding, w.mode, rule),
                                 lambda: live_map.pool(grid, (w.size, w.stride, w.padding), w.mode, MODES[w.mode],
                                                       "pooling_window_output", view="grid", cells=rule),
                                 key="pooling_window_live")


def overlap_view(x: np.ndarray, mode: str) -> None:
    """Section 6: 2x2/2 next to AlexNet's 3x3/2, and how many windows read each pixel."""
    st.subheader("6. Overlapping or not")
    pairs = [("2x2, stride 2", 2, 2), ("3x3, stride 2 (AlexNet)", 3, 2)]
    cols = st.columns(2)
    for col, (name, k, s) in zip(cols, pairs):
        def compute(k=k, s=s) -> tuple[bytes, tuple, float]:
            p = pooling.pool2d(x, k, s, mode)
            change = shift.measure(x, 1, k, s, mode)[0].pooled
            return picture_png(p, mode, max(p.shape[1:])), p.shape, float(change)

        try:
            picture, shape, change = once("overlap", x, (k, s, mode), compute)
        except ValueError as exc:
            col.warning(str(exc))
            continue
        show(col, picture, f"{name}: {shape[1]}x{shape[2]}; a 1-pixel shift changes it by {change:.0%}")
    pooling_notes.windows_per_pixel(x.shape[1], x.shape[2])


@st.fragment
def shift_view(x: np.ndarray, w: Window) -> None:
    """Section 7: shift the input a few pixels; how much do the raw and the pooled map change?"""
    st.subheader("7. Shift invariance, measured")
    st.write("Move the input a few pixels and compare the map before and after: how much does "
             "the raw map change, and how much the pooled map?")
    c1, c2 = st.columns(2)
    k = c1.slider("Shift by up to (pixels)", 1, 8, 4, key="pooling_shift", bind=url_state.BIND)
    direction = c2.radio("Direction", ["horizontal", "vertical"], horizontal=True, key="pooling_direction",
                         bind=url_state.BIND)
    settings = (k, w.size, w.stride, w.mode, w.padding, direction)
    try:
        rows = once("shift", x, settings,
                    lambda: tuple(shift.measure(x, k, w.size, w.stride, w.mode, w.padding, direction)))
    except ValueError as exc:
        st.warning(str(exc))
        return
    long = [{"map": name, "shift": r.shift, "change": getattr(r, attr)}
            for r in rows for name, attr in (("raw map", "raw"), (f"{MODES[w.mode].lower()} pooled", "pooled"))]
    shared_charts.draw(st, ("pooling_shift", pooling_settings.map_key(x), *settings, url_state.presenting()),
                       lambda: url_state.readable(grid_charts.shift_lines(long)), width="stretch")
    tables.show(shared_charts.table(("pooling_shift", pooling_settings.map_key(x), *settings), lambda: pd.DataFrame([{
        "shift (px)": r.shift, "raw map changes by": f"{r.raw:.1%}", "pooled map changes by": f"{r.pooled:.1%}",
        "raw values unchanged": f"{r.raw_same:.0%}", "pooled values unchanged": f"{r.pooled_same:.0%}"} for r in rows])))
    st.caption(shift_sentence(rows, w.stride))


def shift_sentence(rows: list, stride: int) -> str:
    """What the shift table shows, in a sentence (and at a shift of exactly the stride)."""
    first = rows[0]
    verdict = "less" if first.pooled < first.raw else "not less"
    at_stride = next((r for r in rows if r.shift == stride), None)
    # Only what these numbers show: the caption claimed a dip at the stride that the data
    # often did not have (issue #14).
    stride_note = (f" At a shift of exactly the stride ({stride} px) every window moves by one whole "
                   f"cell; here the pooled map then changes by {at_stride.pooled:.0%} (the raw map by "
                   f"{at_stride.raw:.0%})." if at_stride is not None and stride > 1 else "")
    return (f"A 1-pixel shift changes the raw map by {first.raw:.0%} and the pooled map by "
            f"{first.pooled:.0%} ({verdict}). Change = mean |after - before| / mean |before|; "
            "'unchanged' counts the values that are not 0 before or after." + stride_note
            + " Pooling makes small shifts matter less, it does not make them vanish.")

"""Step mode of the Convolution page: the output-size formula for the small grid itself (so
the course's 7x7 / 3x3 / stride 3 shows its 2.33) and the rows and columns no window visits."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.learn import course_charts, coverage, formula, worked_sizes
from explorer.learn.step_walk import Walk
from explorer.ui import url_state


def show(walk: Walk) -> None:
    h, w = walk.x.shape[-2:]
    (top, bottom), (left, right) = walk.pads
    kh, kw = walk.w.shape
    axes = (formula.Axis("height", h, kh, walk.stride, top, bottom, walk.dilation),
            formula.Axis("width", w, kw, walk.stride, left, right, walk.dilation))
    alike = (h, kh, top, bottom) == (w, kw, left, right)
    st.caption(f"The course's formula for this small {h}x{w} grid" + (" (height and width alike):" if alike else ":"))
    for ax in (axes[:1] if alike else axes):
        st.latex(worked_sizes.course_latex(ax))
    rows = coverage.along(h, kh, walk.stride, top, bottom, walk.dilation)
    cols = coverage.along(w, kw, walk.stride, left, right, walk.dilation)
    never_r, never_c = np.flatnonzero(rows == 0), np.flatnonzero(cols == 0)
    if len(never_r) or len(never_c):
        counts = np.outer(rows, cols)
        chart = course_charts.count_map(counts, "windows that read each input pixel (0: never visited)",
                                        cell=url_state.cell(course_charts.COUNT_CELL))
        st.vega_lite_chart(spec=url_state.readable(chart), width="content", key="convolution_step_coverage")
        parts = []
        if len(never_r):
            parts.append(f"row{'s' if len(never_r) > 1 else ''} {', '.join(map(str, never_r))}")
        if len(never_c):
            parts.append(f"column{'s' if len(never_c) > 1 else ''} {', '.join(map(str, never_c))}")
        st.warning(f"The windows never visit input {' and '.join(parts)} (counting from 0): the "
                   "formula's fraction is rounded down and what is left over is dropped.")

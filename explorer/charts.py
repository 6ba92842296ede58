"""Altair charts for small grids (numbers, highlights, click selection) and small line charts.

Only for grids of at most a few hundred cells; whole pictures are drawn as PNG images.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from explorer import colormaps

MAX_CELLS = 900


def _fmt(v: float) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e4 else f"{v:.2f}"


def grid(values: np.ndarray, *, select: str | None = None, strong: np.ndarray | None = None,
         soft: np.ndarray | None = None, cell: int = 30, numbers: bool = True, title: str = "") -> alt.Chart:
    """A (H, W) grid of coloured cells with their numbers.

    select: name of a click selection on (row, col) (st.altair_chart(on_select="rerun")
    reports it). strong / soft: (H, W) boolean masks outlined thick orange / thin orange.
    Negative values use a blue-white-red scale, non-negative ones grey.
    """
    values = np.asarray(values, float)
    h, w = values.shape
    if h * w > MAX_CELLS:
        raise ValueError(f"{h}x{w} is too many cells for a chart; draw it as an image")
    rows, cols = np.indices((h, w))
    df = pd.DataFrame({
        "row": rows.ravel(), "col": cols.ravel(), "value": values.ravel(),
        "label": [_fmt(v) for v in values.ravel()],
        "strong": (strong if strong is not None else np.zeros((h, w), bool)).ravel(),
        "soft": (soft if soft is not None else np.zeros((h, w), bool)).ravel(),
    })
    lim = colormaps.limit(values)
    signed = values.min() < 0
    scale = (alt.Scale(scheme="redblue", domain=[-lim, lim], reverse=True) if signed
             else alt.Scale(scheme="greys", domain=[0, lim], reverse=True))
    base = alt.Chart(df, title=title or alt.Undefined).encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
    ).properties(width=w * cell, height=h * cell)
    rect = base.mark_rect(stroke="#cccccc", strokeWidth=0.5).encode(
        color=alt.Color("value:Q", scale=scale, legend=None),
        tooltip=[alt.Tooltip("row:O"), alt.Tooltip("col:O"), alt.Tooltip("value:Q", format=".3f")],
    )
    layers = [rect]
    if select:
        sel = alt.selection_point(name=select, fields=["row", "col"], on="click", clear=False)
        layers[0] = rect.add_params(sel).encode(
            opacity=alt.condition(sel, alt.value(1.0), alt.value(0.85)))
    for mask, width in (("soft", 1.5), ("strong", 3.5)):
        if df[mask].any():
            layers.append(base.transform_filter(alt.datum[mask]).mark_rect(
                fill=None, stroke="#ff8c00", strokeWidth=width))
    if numbers:
        dark = (np.abs(values) / lim > 0.55).ravel() if signed else (values / lim < 0.45).ravel()
        df["ink"] = np.where(dark, "white", "black")
        layers.append(base.mark_text(fontSize=max(8, int(cell * 0.34))).encode(
            text="label:N", color=alt.condition(alt.datum.ink == "white", alt.value("white"), alt.value("black"))))
    return alt.layer(*layers).configure_view(stroke=None)


def selected_cell(event, name: str) -> tuple[int, int] | None:
    """The (row, col) clicked in a grid chart's selection `name`, or None."""
    try:
        selection = event["selection"] if isinstance(event, dict) else event.selection
        points = selection[name]
    except (AttributeError, KeyError, TypeError):
        return None
    if not points:
        return None
    p = points[0]
    return int(p["row"]), int(p["col"])


def shift_lines(rows: list[dict]) -> alt.Chart:
    """Relative change (y) against the shift in pixels (x), one line per map."""
    df = pd.DataFrame(rows)
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("shift:O", title="shift (pixels)"),
        y=alt.Y("change:Q", title="relative change", axis=alt.Axis(format="%")),
        color=alt.Color("map:N", title=None),
        tooltip=["map", "shift", alt.Tooltip("change:Q", format=".1%")],
    ).properties(height=260)

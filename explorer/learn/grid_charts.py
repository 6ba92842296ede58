"""Vega-Lite charts for small grids (numbers, highlights, click selection) and small line charts.

Specs are plain dicts for st.vega_lite_chart (the renderer behind st.altair_chart). Building
them through Altair cost 40-300 ms per chart per rerun on the 2-core classroom machine
(schema validation and to_dict), more than the whole convolution; a dict costs nothing.
Only for grids of at most a few hundred cells; whole pictures are drawn as PNG images.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from explorer.decimals import fixed
from explorer.pictures import colormaps

MAX_CELLS = 900
ORANGE = "#ff8c00"


class CellRule(NamedTuple):
    """A number grid's cell size in px: `room` px shared by the longer side's cells, within
    [lo, hi]. The live grid that follows a dragged slider (explorer/ui/live_map.js) sizes its
    cells by the same rule, so a grid keeps its size when a drag starts and ends."""

    room: int
    lo: int
    hi: int

    def size(self, n: int) -> int:
        """The cell size for a grid whose longer side has n cells."""
        return int(np.clip(self.room // max(n, 1), self.lo, self.hi))


def font_px(cell: int) -> int:
    """The size of a cell's number (live_map.js writes the same)."""
    return max(8, int(cell * 0.34))


def colour_scale(lim: float, signed: bool) -> dict:
    """A grid's Vega-Lite colour scale: the pictures' palettes (colormaps: blue, white, red for
    signed values, black to white otherwise), interpolated in RGB as those are. So a grid and a
    picture of the same numbers share their colours, and the grid the browser draws while a slider
    is dragged (explorer/ui/live_map.js, from the same palettes) keeps them when the server's
    chart replaces it. Vega's own "redblue" and "greys" schemes are darker at both ends."""
    if signed:
        return {"domain": [-lim, 0.0, lim], "range": [_hex(colormaps.NEGATIVE), "#ffffff", _hex(colormaps.POSITIVE)],
                "interpolate": "rgb"}
    return {"domain": [0.0, lim], "range": ["#000000", "#ffffff"], "interpolate": "rgb"}


def ink_is_white(values: np.ndarray) -> np.ndarray:
    """(H, W) values -> (H, W) bool: whether a cell's number is written in white, on a cell
    whose palette colour is dark (its red, green and blue add up to less than 3 x 128), the
    rule live_map.js follows."""
    idx, palette = colormaps.indexed(values)
    return palette[idx].astype(np.int32).sum(axis=-1) < 3 * 128


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb))


def cell_text(v: float) -> str:
    """A number as a grid cell writes it, in at most 5 characters (below 1e100) so that it stays
    inside its cell: whole numbers plainly up to 9999, others with 2, 1 or 0 decimals as they grow
    (-9.99, -79.3, -7929; one that rounds to zero without a sign), beyond that a power of ten
    (-1e4). live_map.js's cellText is the same rule (tests/browser/test_live_drag.py checks it)."""
    v = float(v)
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if v.is_integer() and abs(v) < 1e4:
        return str(int(v))
    for decimals, below in ((2, 9.995), (1, 99.95), (0, 9999.5)):
        if abs(v) < below:
            return fixed(v, decimals)  # -0.0004 is "0.00", not "-0.00"
    mantissa, exponent = f"{v:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def grid(values: np.ndarray, *, select: str | None = None, strong: np.ndarray | None = None,
         soft: np.ndarray | None = None, cell: int = 30, numbers: bool = True) -> dict:
    """A (H, W) grid of coloured cells with their numbers, as a Vega-Lite spec.

    select: name of a click selection on (row, col) (st.vega_lite_chart(on_select=...)
    reports it). strong / soft: (H, W) boolean masks outlined thick / thin orange.
    Negative values use a blue-white-red scale, non-negative ones grey.
    """
    values = np.asarray(values, float)
    h, w = values.shape
    if h * w > MAX_CELLS:
        raise ValueError(f"{h}x{w} is too many cells for a chart; draw it as an image")
    strong = np.zeros((h, w), bool) if strong is None else np.asarray(strong, bool)
    soft = np.zeros((h, w), bool) if soft is None else np.asarray(soft, bool)
    lim = colormaps.limit(values)
    signed = bool(values.min() < 0)
    dark = ink_is_white(values)
    records = [
        {"row": r, "col": c, "value": float(values[r, c]), "label": cell_text(values[r, c]),
         "strong": bool(strong[r, c]), "soft": bool(soft[r, c]), "ink": "white" if dark[r, c] else "black"}
        for r in range(h) for c in range(w)
    ]
    scale = colour_scale(lim, signed)
    cells = {
        "mark": {"type": "rect", "stroke": "#cccccc", "strokeWidth": 0.5},
        "encoding": {
            "color": {"field": "value", "type": "quantitative", "scale": scale, "legend": None},
            "tooltip": [{"field": "row", "type": "ordinal"}, {"field": "col", "type": "ordinal"},
                        {"field": "value", "type": "quantitative", "format": ".3f"}],
        },
    }
    if select:
        cells["params"] = [{"name": select, "select": {"type": "point", "fields": ["row", "col"],
                                                       "on": "click", "clear": False}}]
    layers = [cells]
    for mask, width in (("soft", 1.5), ("strong", 3.5)):
        if any(r[mask] for r in records):
            layers.append({"transform": [{"filter": f"datum.{mask}"}],
                           "mark": {"type": "rect", "filled": False, "stroke": ORANGE, "strokeWidth": width}})
    if numbers:
        layers.append({
            "mark": {"type": "text", "fontSize": font_px(cell)},
            "encoding": {"text": {"field": "label", "type": "nominal"},
                         "color": {"condition": {"test": "datum.ink === 'white'", "value": "white"},
                                   "value": "black"}},
        })
    return {
        "data": {"values": records},
        # The cells' own size: Streamlit otherwise fits padding inside it (a 320 px grid drew 296 px tall).
        "autosize": {"type": "pad"},
        "width": w * cell, "height": h * cell,
        "encoding": {"x": {"field": "col", "type": "ordinal", "axis": None},
                     "y": {"field": "row", "type": "ordinal", "axis": None}},
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }


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


def shift_lines(rows: list[dict]) -> dict:
    """Relative change (y, as a percentage) against the shift in pixels (x), one line per map.

    rows: {"map": name, "shift": pixels, "change": fraction}.
    """
    return {
        "data": {"values": [{"map": r["map"], "shift": int(r["shift"]), "change": float(r["change"])} for r in rows]},
        "height": 260,
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "shift", "type": "ordinal", "title": "shift (pixels)", "axis": {"labelAngle": 0}},
            "y": {"field": "change", "type": "quantitative", "title": "relative change", "axis": {"format": "%"}},
            "color": {"field": "map", "type": "nominal", "title": None},
            "tooltip": [{"field": "map"}, {"field": "shift"}, {"field": "change", "format": ".1%"}],
        },
    }

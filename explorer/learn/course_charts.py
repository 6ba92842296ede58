"""Small Vega-Lite specs (plain dicts) for figures the course draws: LeNet-5's C3 connection
table, a count per pixel, a block diagram of boxes and arrows."""

from __future__ import annotations

import numpy as np

CONNECTION_CELL = 24  # px, a connection table's cell on a laptop


def connection_table(matrix: np.ndarray, row_title: str, col_title: str, cell: int = CONNECTION_CELL) -> dict:
    """(R, C) bool as a table of filled / empty squares, rows and columns numbered from 0."""
    m = np.asarray(matrix, bool)
    records = [{"row": int(r), "col": int(c), "on": "X" if m[r, c] else "", "connected": bool(m[r, c])}
               for r in range(m.shape[0]) for c in range(m.shape[1])]
    enc = {"x": {"field": "col", "type": "ordinal", "title": col_title, "axis": {"orient": "top", "labelAngle": 0}},
           "y": {"field": "row", "type": "ordinal", "title": row_title}}
    return {
        "autosize": {"type": "pad"},  # square cells of `cell` px, the axes around them (count_map)
        "width": cell * m.shape[1], "height": cell * m.shape[0],
        "padding": {"left": 10, "top": 5, "right": 5, "bottom": 5},  # room for the rotated row title
        "data": {"values": records},
        "encoding": enc,
        "layer": [
            {"mark": {"type": "rect", "stroke": "#999999", "strokeWidth": 0.5},
             "encoding": {"color": {"field": "connected", "type": "nominal", "legend": None,
                                    "scale": {"domain": [False, True], "range": ["#ffffff", "#4c78a8"]}},
                          "tooltip": [{"field": "row", "title": row_title}, {"field": "col", "title": col_title},
                                      {"field": "connected"}]}},
            {"mark": {"type": "text", "color": "white", "fontWeight": "bold", "fontSize": max(11, round(cell * 0.48))},
             "encoding": {"text": {"field": "on"}}},
        ],
    }


COUNT_CELL = 22  # px, a count map's cell on a laptop


def count_map(counts: np.ndarray, title: str, cell: int = COUNT_CELL) -> dict:
    """(H, W) small integers drawn as numbered cells: how many windows read each pixel.

    No colour legend: the numbers are in the cells, and Streamlit fits a legend inside the
    chart's width, which squeezed a 9x9 map's cells to about 12 px."""
    c = np.asarray(counts, int)
    top = max(int(c.max()), 1)
    records = [{"row": int(r), "col": int(q), "n": int(c[r, q]), "ink": _count_ink(int(c[r, q]), top)}
               for r in range(c.shape[0]) for q in range(c.shape[1])]
    return {
        "title": title,
        "autosize": {"type": "pad"},  # width and height are the cells' own; the title goes above
        "width": cell * c.shape[1], "height": cell * c.shape[0],
        "data": {"values": records},
        "encoding": {"x": {"field": "col", "type": "ordinal", "axis": None},
                     "y": {"field": "row", "type": "ordinal", "axis": None}},
        "layer": [
            {"mark": {"type": "rect", "stroke": "#cccccc", "strokeWidth": 0.5},
             "encoding": {"color": {"field": "n", "type": "quantitative", "legend": None,
                                    "scale": {"domain": [0, top], "scheme": "oranges"}},
                          "tooltip": [{"field": "row"}, {"field": "col"}, {"field": "n", "title": "windows"}]}},
            {"mark": {"type": "text", "fontSize": max(11, round(cell * 0.55))},
             "encoding": {"text": {"field": "n"},
                          "color": {"condition": {"test": "datum.ink === 'white'", "value": "white"},
                                    "value": "black"}}},
        ],
    }


# The "oranges" scheme's last sixth is dark brown (about #a63603 to #7f2704): black digits there had
# a contrast of 2-3:1 (a 2x2/2 map's every 1), white ones 6-10:1; below it black reads better.
WHITE_INK_FROM = 0.85


def _count_ink(n: int, top: int) -> str:
    """The colour a count is written in on its cell: white on the darkest oranges, else black."""
    return "white" if n / top >= WHITE_INK_FROM else "black"


BOX_FONT = 11  # px, a block diagram's labels at scale 1


def boxes(nodes: list[dict], edges: list[tuple[str, str]], width: int = 640, height: int = 300,
          scale: float = 1.0) -> dict:
    """A block diagram: nodes {"id", "label", "x", "y", "w", "h", "color"} in pixels of a
    width x height drawing (x, y = the box centre), edges (from id, to id) drawn as straight lines
    between box centres' edges. `scale` draws it larger, labels included (presenter mode)."""
    by_id = {n["id"]: n for n in nodes}
    lines = []
    for i, (a, b) in enumerate(edges):
        na, nb = by_id[a], by_id[b]
        lines += [{"edge": i, "order": 0, "x": na["x"], "y": na["y"] + na["h"] / 2},
                  {"edge": i, "order": 1, "x": nb["x"], "y": nb["y"] - nb["h"] / 2}]
    rects = [{**n, "x0": n["x"] - n["w"] / 2, "x1": n["x"] + n["w"] / 2,
              "y0": n["y"] - n["h"] / 2, "y1": n["y"] + n["h"] / 2} for n in nodes]
    x = {"type": "quantitative", "scale": {"domain": [0, width]}, "axis": None}
    y = {"type": "quantitative", "scale": {"domain": [height, 0]}, "axis": None}
    return {
        "width": round(width * scale), "height": round(height * scale),  # the scales keep their domains
        "layer": [
            {"data": {"values": lines}, "mark": {"type": "line", "color": "#666666", "strokeWidth": 1.5},
             "encoding": {"x": {"field": "x", **x}, "y": {"field": "y", **y}, "detail": {"field": "edge"},
                          "order": {"field": "order"}}},
            {"data": {"values": rects}, "mark": {"type": "rect", "stroke": "#333333", "cornerRadius": 4},
             "encoding": {"x": {"field": "x0", **x}, "x2": {"field": "x1"}, "y": {"field": "y0", **y},
                          "y2": {"field": "y1"}, "color": {"field": "color", "type": "nominal", "scale": None}}},
            {"data": {"values": rects},
             "mark": {"type": "text", "fontSize": round(BOX_FONT * scale), "lineBreak": "\n"},
             "encoding": {"x": {"field": "x", **x}, "y": {"field": "y", **y}, "text": {"field": "label"}}},
        ],
    }

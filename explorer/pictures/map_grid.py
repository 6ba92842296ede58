"""Grids of small pictures: maps coloured on one scale (render.tile lays them out), or an Altair
grid whose cells can be clicked (each cell a tiny PNG data URL; a few hundred cells at most)."""

from __future__ import annotations

import base64
import io

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image

from explorer.pictures import colormaps, render

MAX_CELLS = 1024


def coloured(maps: np.ndarray, lim: float | None = None) -> np.ndarray:
    """(N, h, w) values -> (N, h, w, 3) uint8 on ONE scale for all of them (so a weak map looks
    weak): blue-white-red when any value is negative, black-white otherwise."""
    maps = np.asarray(maps, np.float32)
    lim = colormaps.limit(maps) if lim is None else lim
    if maps.size and maps.min() < 0:
        return np.stack([colormaps.diverging(m, lim) for m in maps])
    g = np.stack([colormaps.grey(m, lim) for m in maps])
    return render.grey_to_rgb(g)


def png_url(img: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


GAP = 6  # pixels between two cells of a clickable grid


def clickable(tiles: np.ndarray, ncols: int, name: str, cell: int = 56,
              captions: list[str] | None = None, shown: int | None = None) -> alt.Chart:
    """An Altair grid of (N, h, w, 3) uint8 tiles; clicking one selects its "index" in the
    selection `name` (read it with selected_index). `shown` (the tile the page shows large)
    gets the orange frame; nothing is framed when it is None.

    Cells sit at exact pixel positions (a quantitative scale from 0 to ncols * cell): on the
    ordinal scale the outer cells were cut by the chart's edge, and the frame, drawn for an
    empty selection, outlined every cell before any click (issue #14).
    """
    n = len(tiles)
    if n > MAX_CELLS:
        raise ValueError(f"{n} pictures are too many for a clickable grid")
    side = cell - GAP
    scale = max(1, -(-side // max(tiles.shape[1], tiles.shape[2], 1)))
    ncols = max(1, min(ncols, n))
    rows = -(-n // ncols)
    df = pd.DataFrame({
        "index": np.arange(n),
        "x": (np.arange(n) % ncols + 0.5) * cell, "y": (np.arange(n) // ncols + 0.5) * cell,
        "url": [png_url(colormaps.enlarge(t, scale)) for t in tiles],
        "caption": captions or [f"#{i}" for i in range(n)],
        "shown": np.arange(n) == (-1 if shown is None else shown),
    })
    sel = alt.selection_point(name=name, fields=["index"], on="click", clear=False)
    base = alt.Chart(df).encode(
        x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, ncols * cell], nice=False, zero=True)),
        y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[0, rows * cell], nice=False, zero=True, reverse=True)),
        tooltip=[alt.Tooltip("caption:N", title="map")])
    pics = base.mark_image(width=side, height=side).encode(url="url:N").add_params(sel)
    frame = base.transform_filter("datum.shown").mark_square(
        size=(cell - 2) ** 2, filled=False, strokeWidth=3, color="#ff8c00")
    return (alt.layer(pics, frame).properties(width=ncols * cell, height=rows * cell,
                                              padding=0, autosize=alt.AutoSizeParams(type="none"))
            .configure_view(stroke=None))


def selected_index(event, name: str) -> int | None:
    """The index clicked in a clickable grid's selection `name`, or None. `event` is what
    st.altair_chart returns or, in an on_select callback, its entry in st.session_state."""
    selection = event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    try:
        points = selection[name]
    except (KeyError, TypeError):
        return None
    return int(points[0]["index"]) if points else None

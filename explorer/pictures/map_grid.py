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


def clickable(tiles: np.ndarray, ncols: int, name: str, cell: int = 56,
              captions: list[str] | None = None) -> alt.Chart:
    """An Altair grid of (N, h, w, 3) uint8 tiles; clicking one selects its "index" in the
    selection `name` (read it with selected_index)."""
    n = len(tiles)
    if n > MAX_CELLS:
        raise ValueError(f"{n} pictures are too many for a clickable grid")
    scale = max(1, cell // max(tiles.shape[1], 1))
    ncols = max(1, min(ncols, n))
    df = pd.DataFrame({
        "index": np.arange(n), "row": np.arange(n) // ncols, "col": np.arange(n) % ncols,
        "url": [png_url(colormaps.enlarge(t, scale)) for t in tiles],
        "caption": captions or [f"#{i}" for i in range(n)],
    })
    sel = alt.selection_point(name=name, fields=["index"], on="click", clear=False)
    rows = -(-n // ncols)
    base = alt.Chart(df).encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        tooltip=[alt.Tooltip("caption:N", title="map")])
    pics = base.mark_image(width=cell - 4, height=cell - 4).encode(url="url:N").add_params(sel)
    frame = base.mark_square(size=(cell - 2) ** 2, filled=False).encode(
        opacity=alt.condition(sel, alt.value(1.0), alt.value(0.0)), color=alt.value("#ff8c00"))
    return alt.layer(pics, frame).properties(width=ncols * cell, height=rows * cell).configure_view(stroke=None)


def selected_index(event, name: str) -> int | None:
    """The index clicked in a clickable grid's selection `name`, or None. `event` is what
    st.altair_chart returns or, in an on_select callback, its entry in st.session_state."""
    selection = event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    try:
        points = selection[name]
    except (KeyError, TypeError):
        return None
    return int(points[0]["index"]) if points else None

"""The Maximal activations page's parts: the layer and how many pictures, one channel's top
pictures with their receptive fields boxed, and every channel's best picture as a clickable grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.data.types import Dataset
from explorer.inspect import inspection
from explorer.pictures import colormaps, map_grid, png, render
from explorer.ui import cached, code_panel, model_cache, plain, shared_charts, url_state
from explorer.ui.model_picker import Picked

SIDE = 128  # each picture is enlarged to about this many pixels


@dataclass(frozen=True)
class Search:
    """The top `k` dataset pictures of every channel of `layer` (`top`: values, indices and
    receptive-field boxes, each (channels, k, ...))."""
    layer: str
    k: int
    top: inspection.TopK

    @property
    def channels(self) -> int:
        return self.top.values.shape[0]


def boxed(dataset: Dataset, index: int, box, side: int = SIDE) -> np.ndarray:
    """Dataset picture `index` enlarged, with the receptive field box (r0, r1, c0, c1) drawn."""
    img = render.as_rgb(render.to_uint8(dataset.images[index]))
    f = render.upscale_factor(img.shape[1], side)
    r0, r1, c0, c1 = (int(v) for v in box)
    return colormaps.draw_box(colormaps.enlarge(img, f), (r0 * f, (r1 + 1) * f - 1), (c0 * f, (c1 + 1) * f - 1),
                              width=max(1, f // 2))


def search(picked: Picked, dataset: Dataset) -> Search:
    """Layer and pictures per channel, then one pass over the whole dataset (shared by the class)."""
    model_cache.within_budget(picked.id, len(dataset), "This model is too large to run over the whole dataset "
                              "here; pick a smaller one.")
    layers = model_cache.layers(picked.id)
    titles = {l.name: f"{l.name}: {l.title} · {' x '.join(str(s) for s in l.shape)}" for l in layers}
    default = next((i for i, l in enumerate(layers) if l.kind == "activation"), 0)
    c1, c2 = st.columns([3, 1])
    layer = c1.selectbox("Layer", list(titles), index=default, format_func=titles.get, key="max_activations_layer",
                         bind=url_state.BIND)
    k = c2.slider("Pictures per channel", 3, 16, 8, key="max_activations_k", bind=url_state.BIND)
    with st.spinner("One pass over the whole dataset…"):
        top = model_cache.top_k(picked.id, layer, k)
    # A trace of the model's shapes (FLOP counting, which takes turns with Captum): once per class.
    geo = model_cache.shared(picked.id, ("geometry", layer),
                             lambda model: inspection.geometry(model, picked.input_size, layer))
    rf = "the whole picture" if geo.whole else f"{geo.size[0]}x{geo.size[1]} pixels"
    st.caption(f"{len(dataset):,} pictures searched. A position of this layer sees {rf} of the input.")
    return Search(layer, k, top)


def _channel_key(s: Search) -> str:
    return f"max_activations_channel_{s.layer}"


def one_channel(picked: Picked, dataset: Dataset, s: Search) -> int:
    """The chosen channel's top pictures; returns the channel."""
    channel = st.number_input(f"Channel (0-{s.channels - 1})", 0, s.channels - 1, 0, key=_channel_key(s),
                              bind=url_state.BIND)
    cols = st.columns(min(s.k, 8))
    pictures = cached.shared_results().get(  # encoded once for the class
        (model_cache.version(picked.id), "max_activations_pictures", s.layer, s.k, int(channel)),
        lambda: tuple(png.encode(boxed(dataset, int(s.top.indices[channel, j]), s.top.boxes[channel, j]))
                      for j in range(s.k)))
    for j in range(s.k):
        i = int(s.top.indices[channel, j])
        with cols[j % len(cols)]:
            st.image(pictures[j], width="stretch", output_format="PNG",
                     caption=f"{s.top.values[channel, j]:.2f} · #{i} ({plain.md(dataset.classes[dataset.labels[i]])})")
    st.caption("Under each picture: the activation at its strongest position, the picture's number "
               "and its class.")
    code_panel.top_activations(picked, s.layer, s.k, channel)
    return int(channel)


def overview(picked: Picked, dataset: Dataset, s: Search, channel: int) -> None:
    """Every channel's best picture; clicking one selects that channel above."""
    top, channels = s.top, s.channels

    def pick_from_grid() -> None:  # runs before the channel selector is drawn
        event = st.session_state.get(f"max_activations_overview_{s.layer}")
        chosen = map_grid.selected_index(event, "channel")
        if chosen is not None:
            st.session_state[_channel_key(s)] = chosen

    grid = shared_charts.spec(  # the same for every student on this model, layer, k and channel
        ("max_activations", model_cache.version(picked.id), s.layer, s.k, channel),
        lambda: map_grid.clickable(
            np.stack([boxed(dataset, int(top.indices[c, 0]), top.boxes[c, 0], 48) for c in range(channels)]),
            12, "channel", cell=64, shown=channel,
            captions=[f"channel {c}: {top.values[c, 0]:.2f}" for c in range(channels)]))
    st.vega_lite_chart(grid, on_select=pick_from_grid, key=f"max_activations_overview_{s.layer}")

"""The Filters & feature maps page's sections: the first layer's filters epoch by epoch (or any
convolution layer's), every layer's feature maps for one picture, and the layer table."""

from functools import partial

import numpy as np
import streamlit as st

from explorer.inspect import inspection, pixel_model
from explorer.models.summary import describe, summary
from explorer.pictures import colormaps, map_grid, png, render
from explorer.saved import registry
from explorer.ui import (
    cached,
    code_panel,
    filter_notes,
    input_picker,
    model_cache,
    ood_note,
    shared_charts,
    tables,
    url_state,
)
from explorer.ui.model_picker import Picked


@st.cache_data(max_entries=8, show_spinner=False)
def snapshots(model_id: str) -> np.ndarray | None:
    """(epochs + 1, out, in, k, k) first-layer filters saved during training (index 0: initial)."""
    return registry.load_filters(model_id)


@st.cache_data(max_entries=8, show_spinner=False)
def layer_table(model_id: str):
    s = summary(pixel_model.inner(model_cache.load_model(model_id)[0]), model_cache.load_model(model_id)[1].input_size)
    return s.table(), s.total_params, s.total_macs


def filters(picked: Picked) -> str:
    """Section 1: one convolution layer's filters (the first layer's after any epoch); returns
    the layer's name."""
    convs = inspection.conv_layers(picked.model)
    names = [n for n, _ in convs]
    titles = {n: f"{n}: {describe(m)}" for n, m in convs}
    c1, c2 = st.columns([2, 1])
    name = c1.selectbox("Convolution layer", names, format_func=titles.get, key="filters_layer", bind=url_state.BIND)
    weights = inspection.filters(picked.model, name)
    out_c, in_c, kh, kw = weights.shape
    lim = None
    if name == names[0]:
        snaps = snapshots(picked.id)
        if snaps is not None and snaps.shape[1:] == weights.shape and len(snaps) > 1:
            epoch = st.select_slider(
                "After epoch", list(range(len(snaps))), value=len(snaps) - 1, key="filters_epoch", bind=url_state.BIND,
                format_func=lambda e: "before training" if e == 0 else str(e),
                help="The first layer was saved after every epoch: slide to watch the filters form.")
            weights, lim = snaps[epoch], colormaps.limit(snaps)
        else:
            st.caption("This model was saved without per-epoch snapshots of its first layer.")
    channel = None
    if in_c > 1:
        channel = c2.slider(f"Input channel (of {in_c})", 0, in_c - 1, 0, key="filters_in_channel", bind=url_state.BIND,
                            help="Each filter of a deeper layer has one slice per map of the layer before.")
    tiles = map_grid.coloured(inspection.kernel_tiles(weights, channel if in_c > 1 else 0),
                              lim or colormaps.limit(weights))
    scale = max(1, 48 // max(kh, kw))
    # Rows of at most 8 with a visible grey gap: 8 filters in one gapless strip read as one picture.
    st.image(render.tile(tiles, min(8, int(np.ceil(np.sqrt(out_c))) if out_c <= 64 else 16), scale,
                             pad=max(4, scale // 2), background=150), width="content", output_format="PNG",
             caption=f"{out_c} filters of {kh}x{kw}" + (f", slice {channel} of {in_c}" if in_c > 1 else "")
             + f". Blue = negative weight, white = 0, red = positive (scale ±{lim or colormaps.limit(weights):.3g}).")

    if name == names[0]:
        snaps = snapshots(picked.id)
        filter_notes.edge_detectors(inspection.filters(picked.model, name),
                                    snaps[0] if snaps is not None and len(snaps) > 1 else None)
    return name


LAYER_IN_CODE = "filters_layer_in_code"  # session_state: the layer the open code panel was written for


@st.fragment
def filters_section(picked: Picked) -> str:
    """Section 1 as a fragment of its own: the epoch, the layer and the input channel redraw the
    filters, not the feature maps below, which do not depend on them (13 clickable grids of
    pictures, ~0.4 MB and ~100 elements per run: issue 16). Returns the layer's name."""
    st.header("1. Filters")
    name = filters(picked)
    panel_open = st.session_state.get(code_panel.KEY_PREFIX + "feature_maps")
    if panel_open and st.session_state.get(LAYER_IN_CODE, name) != name:
        st.rerun(scope="app")  # the open "Show the code" below names this layer: write it again
    return name


def feature_maps(picked: Picked, layer_name: str) -> None:
    """Section 2: a picture, and every layer's maps for it as clickable grids."""
    left, right = st.columns([1, 1], gap="large")
    with left:
        inp = input_picker.input_picker("filters", picked)
    if inp is not None:
        with right:
            input_picker.show_input(picked, inp)
            fill = ood_note.placed(picked, inp)
        with ood_note.after(fill):  # the feature maps first: see ood_note.placed
            names = layer_grids(picked, inp)
        st.session_state[LAYER_IN_CODE] = layer_name
        code_panel.feature_maps(picked, inp, names, layer_name)


def layer_grids(picked: Picked, inp: input_picker.Input) -> list[str]:
    """Every layer's maps of one input: a clickable grid and the enlarged map, per layer;
    returns the layers' names."""
    layers = model_cache.layers(picked.id)
    maps = all_maps(picked.id, inp)
    st.caption("Each grid shares one colour scale (a weak map looks weak); click a map to enlarge it.")
    for i, layer in enumerate(layers):
        fm = maps[layer.name]
        shape = " x ".join(str(s) for s in fm.shape)
        with st.expander(f"Layer {layer.name} · {layer.title} · {shape}", expanded=i < 3):
            grid_col, big_col = st.columns([3, 1])
            event_key = f"filters_maps_{layer.name}_{inp.key}"
            chosen = map_grid.selected_index(st.session_state.get(event_key), "pick")
            grid, picture, caption = layer_view(picked.id, inp.key, layer.name, fm, chosen)
            grid_col.vega_lite_chart(grid, on_select="rerun", key=event_key)
            big_col.image(picture, width="stretch", output_format="PNG", caption=caption)
    return [layer.name for layer in layers]


def all_maps(model_id: str, inp: input_picker.Input) -> dict:
    """{layer: (C, H, W) maps} of one input through every layer the page shows."""
    return model_cache.feature_maps(model_id, inp.key, inp.array, tuple(layer.name for layer in model_cache.layers(model_id)))


def layer_view(model_id: str, input_key: str, layer: str, fm: np.ndarray, chosen: int | None) -> tuple[dict, bytes, str]:
    """(grid spec, enlarged map as PNG, its caption) of one layer's maps fm (N, H, W); `chosen`
    None: the brightest map. The same for every student on this model, picture and map: built
    and encoded once for the class (explorer/ui/class_warm_up.py prepares the first view)."""
    chosen = int(np.argmax(fm.reshape(len(fm), -1).mean(1))) if chosen is None else chosen
    which = (model_cache.version(model_id), input_key, layer, chosen)
    grid = shared_charts.spec(("feature_maps", *which), partial(grid_chart, fm, chosen))
    picture, legend = cached.shared_results().get(("feature_map_big", *which), partial(big_map, fm, chosen))
    return grid, picture, f"map {chosen}: {legend}"


def grid_chart(fm: np.ndarray, chosen: int):
    """The clickable grid of every map of fm (N, H, W) on one colour scale, `chosen` outlined."""
    return map_grid.clickable(map_grid.coloured(fm, colormaps.limit(fm)), 12, "pick", cell=48 if len(fm) > 32 else 60,
                              captions=[f"map {c}" for c in range(len(fm))], shown=chosen)


def big_map(fm: np.ndarray, chosen: int) -> tuple[bytes, str]:
    """Map `chosen` of fm (N, H, W) in the grid's colours, enlarged to about 200 px, as PNG bytes,
    and its colour legend."""
    lim = colormaps.limit(fm)
    tile = map_grid.coloured(fm, lim)[chosen]  # one scale (and palette) for the whole grid
    return png.encode(input_picker.big_rgb(tile, 200)), colormaps.legend(fm[chosen], lim)


def summary_table(picked: Picked) -> None:
    """Section 3: the model's layer table with its totals."""
    table, params, macs = layer_table(picked.id)
    tables.show(table)
    st.caption(f"{params:,} parameters, {macs:,} multiply-adds per picture of "
               f"{' x '.join(str(s) for s in picked.input_size)}.")

"""Maximal activations: the dataset pictures that excite one channel of a layer the most."""

import numpy as np
import streamlit as st

from explorer.inspect import inspection
from explorer.pictures import colormaps, map_grid, render
from explorer.ui import code_panel, model_cache, model_picker, plain, shared_charts, streamlit_fixes, url_state

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

SIDE = 128  # each picture is enlarged to about this many pixels

st.title("🔥 Maximal activations")
st.write(
    "What does one channel of a layer look for? Run **every** picture of the dataset through the "
    "model and keep, for each channel, the pictures where it fires the hardest. The orange box "
    "is the **receptive field** of the strongest position: the only pixels that position can see."
)
st.info("A caveat the course gives (after Szegedy et al., *Intriguing properties of neural networks*): "
        "one channel alone is not necessarily meaningful. The channels are like axes of a space; "
        "pictures that excite a random mix of channels can look just as coherent, so read these "
        "pictures as hints, not as what the channel 'means'.")

picked = model_picker.model_picker("max_activations")
if picked is None:
    st.stop()
dataset = model_cache.dataset_of(picked.card)
if dataset is None:
    st.info(f"The pictures of “{plain.md(picked.card.dataset)}” are not on this machine, so there is "
            "nothing to search. Pick a model trained on a built-in dataset.")
    st.stop()


def boxed(index: int, box, side: int = SIDE) -> np.ndarray:
    """Dataset picture `index` enlarged, with the receptive field box (r0, r1, c0, c1) drawn."""
    img = render.as_rgb(render.to_uint8(dataset.images[index]))
    f = render.upscale_factor(img.shape[1], side)
    r0, r1, c0, c1 = (int(v) for v in box)
    return colormaps.draw_box(colormaps.enlarge(img, f), (r0 * f, (r1 + 1) * f - 1), (c0 * f, (c1 + 1) * f - 1),
                              width=max(1, f // 2))


model_cache.within_budget(picked.id, len(dataset), "This model is too large to run over the whole dataset here; "
                 "pick a smaller one.")
layers = model_cache.layers(picked.id)
titles = {l.name: f"{l.name}: {l.title} · {' x '.join(str(s) for s in l.shape)}" for l in layers}
default = next((i for i, l in enumerate(layers) if l.kind == "activation"), 0)
c1, c2 = st.columns([3, 1])
layer = c1.selectbox("Layer", list(titles), index=default, format_func=titles.get, key="max_activations_layer",
                     bind=url_state.BIND)
k = c2.slider("Pictures per channel", 3, 16, 8, key="max_activations_k", bind=url_state.BIND)
with st.spinner("One pass over the whole dataset…"):
    top = model_cache.top_k(picked.id, layer, k)
channels = top.values.shape[0]
geo = inspection.geometry(picked.model, picked.input_size, layer)
rf = "the whole picture" if geo.whole else f"{geo.size[0]}x{geo.size[1]} pixels"
st.caption(f"{len(dataset):,} pictures searched. A position of this layer sees {rf} of the input.")

channel_key = f"max_activations_channel_{layer}"


def pick_from_grid() -> None:
    """Clicking a cell of the overview selects that channel (before the selector is drawn)."""
    event = st.session_state.get(f"max_activations_overview_{layer}")
    chosen = map_grid.selected_index(event, "channel")
    if chosen is not None:
        st.session_state[channel_key] = chosen


st.subheader("One channel")
channel = st.number_input(f"Channel (0-{channels - 1})", 0, channels - 1, 0, key=channel_key, bind=url_state.BIND)
cols = st.columns(min(k, 8))
for j in range(k):
    i = int(top.indices[channel, j])
    with cols[j % len(cols)]:
        st.image(boxed(i, top.boxes[channel, j]), width="stretch", output_format="PNG",
                 caption=f"{top.values[channel, j]:.2f} · #{i} ({plain.md(dataset.classes[dataset.labels[i]])})")
st.caption("Under each picture: the activation at its strongest position, the picture's number "
           "and its class.")
code_panel.top_activations(picked, layer, k, channel)

st.subheader(f"All {channels} channels at a glance")
st.caption("The best picture of each channel; click one to show its top pictures above.")
overview = shared_charts.spec(  # the same for every student on this model, layer, k and channel
    ("max_activations", model_cache.version(picked.id), layer, k, int(channel)),
    lambda: map_grid.clickable(np.stack([boxed(int(top.indices[c, 0]), top.boxes[c, 0], 48) for c in range(channels)]),
                               12, "channel", cell=64, shown=int(channel),
                               captions=[f"channel {c}: {top.values[c, 0]:.2f}" for c in range(channels)]))
st.vega_lite_chart(overview, on_select=pick_from_grid, key=f"max_activations_overview_{layer}")

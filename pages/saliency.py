"""Saliency: six Captum explanations of one prediction side by side, and their sanity check."""

import streamlit as st

from explorer.inspect import attribution, heatmaps, inspection, sanity
from explorer.ui import (
    attribution_cache,
    code_panel,
    input_picker,
    live_camera,
    model_cache,
    ood_note,
    plain,
    streamlit_fixes,
    url_state,
)

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

METHODS = ["saliency", "integrated_gradients", "smoothgrad", "guided_backprop", "grad_cam", "guided_grad_cam"]
VIEWS = {"both": "Heat map + overlay", "overlay": "Overlay", "heat": "Heat map"}
SIDE = 160

st.title("✨ Saliency")
st.write(
    "Which pixels made the model say what it said? Each method below answers with a map over the "
    "picture, computed with [Captum](https://captum.ai). They do not agree, and some of them "
    "barely depend on the model at all: the **sanity check** at the bottom shows the same maps "
    "for a copy of the model whose weights are random."
)

picked, inp, _, target = input_picker.explain_setup("saliency", live=live_camera.live_view)
ood_note.note(picked, inp)

with st.expander("⚙️ Display and method settings", expanded=False):
    c1, c2, c3, c4 = st.columns(4)
    sign = c1.selectbox("Sign", list(heatmaps.SIGNS), format_func=heatmaps.SIGNS.get, key="saliency_sign",
                        bind=url_state.BIND, help="As in Captum's visualize_image_attr: which values to show.")
    outlier = c2.slider("Outlier percentile", 0.0, 10.0, 2.0, 0.5, key="saliency_outlier", bind=url_state.BIND,
                        help="The strongest pixels holding this % of the total are clipped, so "
                             "a few extreme pixels do not wash the rest of the map out.")
    opacity = c3.slider("Overlay opacity", 0.0, 1.0, 0.7, 0.05, key="saliency_opacity", bind=url_state.BIND)
    view = c4.selectbox("Show", list(VIEWS), format_func=VIEWS.get, key="saliency_view", bind=url_state.BIND)
    c1, c2, c3, c4 = st.columns(4)
    steps = c1.slider("Integrated Gradients steps", 10, 200, 50, 10, key="saliency_ig_steps", bind=url_state.BIND)
    samples = c2.slider("SmoothGrad samples", 5, 50, 20, 5, key="saliency_sg_samples", bind=url_state.BIND)
    noise = c3.slider("SmoothGrad noise (std)", 0.05, 0.5, 0.15, 0.05, key="saliency_sg_noise", bind=url_state.BIND)
    convs = [n for n, _ in inspection.conv_layers(picked.model)]
    layer = c4.selectbox("Grad-CAM layer", convs, index=len(convs) - 1, key="saliency_layer", bind=url_state.BIND,
                         help="Grad-CAM looks at one convolution's output; the last one by default.")

PARAMS = {
    "integrated_gradients": (("n_steps", steps),),
    "smoothgrad": (("nt_samples", samples), ("stdevs", noise)),
}


def maps_for(randomised: bool) -> dict:
    every = sum(attribution.passes(m, dict(PARAMS.get(m, ()))) for m in METHODS)
    model_cache.within_budget(picked.id, every * (2 if randomised else 1),  # the sanity check doubles the work
                     "Use fewer Integrated Gradients steps or SmoothGrad samples, or turn the sanity check off.")
    with st.spinner("Computing the explanations…"):
        return {m: attribution_cache.attribution_map(
            picked.id, randomised, inp.key, inp.array, target, m,
            layer if "grad_cam" in m else None, PARAMS.get(m, ())) for m in METHODS}


def draw(maps: dict, notes: dict | None = None) -> None:
    """One row per kind of thing (titles, heat maps, overlays, notes): a title that wraps onto
    two lines (presenter mode) no longer pushes its maps below their neighbours' (issue #14)."""
    norms = {m: heatmaps.normalise(maps[m], sign, outlier) for m in METHODS}
    for col, m in zip(st.columns(len(METHODS)), METHODS):
        col.markdown(f"**{attribution.METHODS[m].title}**")
    if view in ("both", "heat"):
        for col, m in zip(st.columns(len(METHODS)), METHODS):
            col.image(input_picker.big_rgb(heatmaps.colour(norms[m], sign), SIDE), width="stretch", output_format="PNG")
    if view in ("both", "overlay"):
        for col, m in zip(st.columns(len(METHODS)), METHODS):
            col.image(input_picker.big_rgb(heatmaps.overlay(inp.array, norms[m], opacity, sign), SIDE), width="stretch",
                      output_format="PNG")
    for col, m in zip(st.columns(len(METHODS)), METHODS):
        col.caption(notes[m] if notes else attribution.METHODS[m].explains)


st.subheader(f"Why “{plain.md(picked.classes[target])}”? The trained model")
trained = maps_for(False)
draw(trained)
st.caption(f"Colours: {heatmaps.legend(sign)}. Grad-CAM uses layer {layer}; it is coarse because "
           "that layer's maps are small and are upsampled to the picture.")
code_panel.explanations(picked, inp, target, METHODS, PARAMS, layer)

SANITY_GUIDE = ("How to read the numbers: above about 0.5 the method fails the check (its map barely "
                "changed when the learned weights were thrown away, so it mostly shows the picture); "
                "near 0 it passes (its map depends on what the model learned).")
st.subheader("🧪 Sanity check: the same model with random weights")
st.write(
    "Adebayo et al. (2018) asked: if the weights are replaced by random numbers, does the map "
    "change? A map that still looks the same cannot be showing what the model **learned**; it "
    "mostly shows the picture's edges. The number under each map is the rank correlation with "
    "the trained model's map: near 1 means it hardly depends on the learned weights."
)
if st.toggle("Show the sanity check", value=True, key="saliency_sanity", bind=url_state.BIND):
    random_maps = maps_for(True)
    draw(random_maps, {m: f"similarity to the trained map: {sanity.similarity(trained[m], random_maps[m]):.2f}"
                       for m in METHODS})
    st.caption(SANITY_GUIDE)

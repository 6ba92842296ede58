"""The Saliency page's parts: the display and method settings, the six maps of one prediction
in aligned rows, and the same maps for the random-weights copy (the sanity check)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.inspect import attribution, heatmaps, inspection, sanity
from explorer.inspect.shared_results import fingerprint
from explorer.ui import attribution_cache, cached, model_cache, url_state
from explorer.ui.input_picker import Input
from explorer.ui.model_picker import Picked

METHODS = ["saliency", "integrated_gradients", "smoothgrad", "guided_backprop", "grad_cam", "guided_grad_cam"]
VIEWS = {"both": "Heat map + overlay", "overlay": "Overlay", "heat": "Heat map"}
SIDE = 160
SANITY_GUIDE = ("How to read the numbers: above about 0.5 the method fails the check (its map barely "
                "changed when the learned weights were thrown away, so it mostly shows the picture); "
                "near 0 it passes (its map depends on what the model learned).")


@dataclass(frozen=True)
class Settings:
    """How the maps are drawn (sign, outlier percentile, overlay opacity, which pictures) and
    computed (Grad-CAM's layer, per-method Captum arguments as ((name, value), ...))."""
    sign: str
    outlier: float
    opacity: float
    view: str
    layer: str
    params: dict[str, tuple]


def settings(picked: Picked) -> Settings:
    """The folded-away display and method settings."""
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
        noise = c3.slider("SmoothGrad noise (std)", 0.05, 0.5, 0.15, 0.05, key="saliency_sg_noise",
                          bind=url_state.BIND)
        convs = [n for n, _ in inspection.conv_layers(picked.model)]
        layer = c4.selectbox("Grad-CAM layer", convs, index=len(convs) - 1, key="saliency_layer", bind=url_state.BIND,
                             help="Grad-CAM looks at one convolution's output; the last one by default.")
    params = {"integrated_gradients": (("n_steps", steps),), "smoothgrad": (("nt_samples", samples), ("stdevs", noise))}
    return Settings(sign, outlier, opacity, view, layer, params)


def maps_for(picked: Picked, inp: Input, target: int, s: Settings, randomised: bool) -> dict[str, np.ndarray]:
    """Every method's (H, W) map for the trained model or its random-weights copy (shared by the class)."""
    every = sum(attribution.passes(m, dict(s.params.get(m, ()))) for m in METHODS)
    model_cache.within_budget(picked.id, every * (2 if randomised else 1),  # the sanity check doubles the work
                              "Use fewer Integrated Gradients steps or SmoothGrad samples, or turn the sanity "
                              "check off.")
    with st.spinner("Computing the explanations…"):
        return {m: attribution_cache.attribution_map(
            picked.id, randomised, inp.key, inp.array, target, m,
            s.layer if "grad_cam" in m else None, s.params.get(m, ())) for m in METHODS}


def draw(inp: Input, s: Settings, maps: dict, notes: dict | None = None) -> None:
    """A row of titles, then one column per method with its heat map, overlay and note: a title
    that wraps onto two lines (presenter mode) does not push its maps below their neighbours'
    (issue #14), and the maps, all of one size, line up across the columns as rows would. One
    row of columns for the pictures and notes, not three: 14 elements fewer per run (issue 16)."""
    for col, m in zip(st.columns(len(METHODS)), METHODS):
        col.markdown(f"**{attribution.METHODS[m].title}**")
    for col, m in zip(st.columns(len(METHODS)), METHODS):
        # PNGs encoded once for the class (the same maps and settings give the same pictures).
        if s.view in ("both", "heat"):
            col.image(attribution_cache.heat_png(maps[m], s.sign, s.outlier, SIDE), width="stretch",
                      output_format="PNG")  # as encoded once ("auto" made Streamlit re-encode a JPEG each run)
        if s.view in ("both", "overlay"):
            col.image(attribution_cache.overlay_png(inp.array, maps[m], s.sign, s.outlier, s.opacity, SIDE),
                      width="stretch", output_format="PNG")
        col.caption(notes[m] if notes else attribution.METHODS[m].explains)


def sanity_check(picked: Picked, inp: Input, target: int, s: Settings, trained: dict) -> None:
    """The random-weights maps, each with its rank correlation to the trained map."""
    random_maps = maps_for(picked, inp, target, s, True)
    # Rank correlations of the shared maps: computed once for the class.
    similar = cached.shared_results().get(
        ("sanity_similarity", *(fingerprint(trained[m], random_maps[m]) for m in METHODS)),
        lambda: {m: float(sanity.similarity(trained[m], random_maps[m])) for m in METHODS})
    draw(inp, s, random_maps, {m: f"similarity to the trained map: {similar[m]:.2f}" for m in METHODS})
    st.caption(SANITY_GUIDE)

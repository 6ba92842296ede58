"""The Occlusion page's parts: the patch's settings, how many positions it takes (the
convolution's formula with these numbers), the drop map and the most important patch covered."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.inspect import attribution, heatmaps
from explorer.learn import geometry
from explorer.percent import percent
from explorer.pictures import colormaps
from explorer.ui import attribution_cache, code_panel, input_picker, model_cache, plain, url_state
from explorer.ui.input_picker import Input
from explorer.ui.model_picker import Picked

SIDE = 300


@dataclass(frozen=True)
class Patch:
    """The occluding patch: a window x window square of grey level `baseline`, moved by
    `stride`; `opacity` is the overlay's."""
    window: int
    stride: int
    baseline: float
    opacity: float

    def params(self) -> tuple:
        """Captum's settings as the attribution cache and the code panel take them."""
        return (("baseline", self.baseline), ("stride", self.stride), ("window", self.window))


def patch(inp: Input) -> Patch:
    """Window and stride sliders, patch value and opacity folded away."""
    _, height, width = inp.array.shape
    side = min(height, width)
    c1, c2 = st.columns(2)
    window = c1.slider("Window (pixels)", 1, side, min(8, max(1, side // 2)), key="occlusion_window", bind=url_state.BIND)
    stride = c2.slider("Stride", 1, side, min(4, max(1, side // 4)), key="occlusion_stride", bind=url_state.BIND)
    with url_state.secondary("⚙️ Patch and overlay"):
        c1, c2 = st.columns(2)
        baseline = c1.slider("Patch value", 0.0, 1.0, 0.0, 0.05, key="occlusion_baseline", bind=url_state.BIND,
                             help="The grey level of the patch: 0 is black, 1 is white.")
        opacity = c2.slider("Overlay opacity", 0.0, 1.0, 0.7, 0.05, key="occlusion_opacity", bind=url_state.BIND)
    return Patch(window, stride, baseline, opacity)


def positions(inp: Input, p: Patch) -> tuple[int, int]:
    """The number of window positions per axis, with the formula; stops the page with the
    reason when the window does not fit."""
    _, height, width = inp.array.shape
    window, stride = p.window, p.stride
    try:
        axes = [attribution.occlusion_axis(n, window, stride) for n in (height, width)]
    except ValueError as exc:
        st.warning(str(exc))
        st.stop()
    rows, cols = (full + partial for full, partial in axes)

    names = ("per axis", "") if height == width else ("(rows)", "(columns)")
    for n, (full, partial), what in zip((height, width), axes, names):
        if not what:
            break
        st.latex(rf"\text{{positions {what}}} = \left\lfloor \frac{{n - k}}{{s}} \right\rfloor + 1"
                 rf"= \left\lfloor \frac{{{n} - {window}}}{{{stride}}} \right\rfloor + 1 = {full}"
                 + (r"\;+\;1 \text{ partial}" if partial else ""))
    if any(partial for _, partial in axes):
        left_over = geometry.fit(height, window, stride).dropped or geometry.fit(width, window, stride).dropped
        st.caption(f"The full windows leave {left_over} pixel(s) at the far edge (the remainder of the "
                   "division, dropped by a convolution); Captum slides one more, partial window there "
                   "so every pixel is covered.")
    st.markdown(f"**{rows} x {cols} = {rows * cols} positions**: the model classifies {rows * cols} "
                f"covered copies of the picture (in batches), plus the original.")
    return rows, cols


def maps(picked: Picked, inp: Input, probs: np.ndarray, target: int, p: Patch, rows: int, cols: int) -> None:
    """The drop in probability as a map and over the picture, and the picture with the most
    important patch covered."""
    window, stride, baseline, opacity = p.window, p.stride, p.baseline, p.opacity
    model_cache.within_budget(picked.id, attribution.passes("occlusion", positions=rows * cols),
                     "Use a larger window or a larger stride: fewer positions.")
    with st.spinner(f"Classifying {rows * cols} covered pictures…"):
        drop = attribution_cache.attribution_map(
            picked.id, False, inp.key, inp.array, target, "occlusion", None,
            p.params())

    lim = colormaps.limit(drop)
    norm = np.clip(drop / lim, -1, 1)
    a, b, c = st.columns(3)
    a.image(attribution_cache.shared_png("occlusion_heat", (drop, SIDE),
                                         lambda: input_picker.big_rgb(heatmaps.colour(norm, "all"), SIDE)),
            width="stretch", output_format="PNG",
            caption=f"Drop in P({plain.md(picked.classes[target])}): red = drops (up to {drop.max():.1%}), "
                    f"blue = rises (up to {max(-drop.min(), 0):.1%})")
    b.image(attribution_cache.shared_png("occlusion_overlay", (drop, inp.array, opacity, SIDE),
                                         lambda: input_picker.big_rgb(heatmaps.overlay(inp.array, norm, opacity, "all"),
                                                                      SIDE)),
            width="stretch", output_format="PNG",
            caption="The same map over the picture")
    code_panel.explanations(picked, inp, target, ["occlusion"],
                            {"occlusion": p.params()})

    # The single most important patch: cover it and show what the model then says.
    r0, c0 = attribution.key_patch(drop, window, stride)
    covered_img = inp.array.copy()
    covered_img[:, r0:r0 + window, c0:c0 + window] = baseline
    after = model_cache.probabilities(picked.id, f"{inp.key}:covered:{r0}:{c0}:{window}:{baseline}", covered_img)
    c.image(attribution_cache.shared_png("occlusion_covered", (covered_img, SIDE),
                                         lambda: input_picker.big(covered_img, SIDE)),
            width="stretch", output_format="PNG",
            caption=f"Covering the most important patch: P({plain.md(picked.classes[target])}) "
                    f"{percent(probs[target])} → {percent(after[target])}, "
                    f"prediction {plain.md(picked.classes[int(after.argmax())])}")
    st.info("🔎 Is the most important patch on the hand, or in the background? When it is in the "
            "background (a shadow, the wall, the edge of a sleeve), the model has learned a **shortcut**: "
            "something that happened to go with this class in the training photos instead of the sign "
            "itself. Such a model fails on photos taken somewhere else; try a few test pictures.")

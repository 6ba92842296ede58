"""Altair charts of the Neurons page: the chosen activation function with the neuron's own (z, a)
marked on it, so a student sees where the weighted sum lands and what the activation makes of it;
and the race of ReLU, tanh and sigmoid to a training error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from explorer.learn.neuron import activate

if TYPE_CHECKING:  # activation_race imports torch; this module is drawn before the page imports it
    from explorer.learn.activation_race import Curve

HALF_SPAN = 6.0  # z from -6 to 6 shows every activation's bend; wider when z lies outside
POINTS = 241


def z_range(z: float) -> tuple[float, float]:
    """The z axis: [-6, 6], widened to keep the neuron's z inside with a margin."""
    half = max(HALF_SPAN, abs(z) * 1.1)
    return -half, half


def activation_curve(name: str, z: float, height: int = 250) -> alt.LayerChart:
    """a = name(z) over z_range(z) (POINTS samples), the point (z, a) and dotted guides to both axes."""
    lo, hi = z_range(z)
    grid = np.linspace(lo, hi, POINTS)
    curve = pd.DataFrame({"z": grid, "a": activate(grid, name)})
    a = float(activate(np.array(z), name))
    point = pd.DataFrame({"z": [z], "a": [a]})
    x = alt.X("z:Q", title="z (weighted sum + bias)", scale=alt.Scale(domain=[lo, hi], nice=False))
    y = alt.Y("a:Q", title=f"a = {name}(z)" if name != "none" else "a = z")
    line = alt.Chart(curve).mark_line(color="#1f77b4", strokeWidth=2.5).encode(x=x, y=y)
    dot = alt.Chart(point).mark_point(color="#d62728", size=110, filled=True).encode(
        x=x, y=y, tooltip=[alt.Tooltip("z:Q", format=".3g"), alt.Tooltip("a:Q", format=".3g")])
    floor = float(curve.a.min())  # the guides run from the point down to the curve's lowest value and left to lo
    guides = [pd.DataFrame({"z": [z, z], "a": [floor, a]}), pd.DataFrame({"z": [lo, z], "a": [a, a]})]
    vertical, horizontal = (alt.Chart(g).mark_line(color="#d62728", strokeDash=[3, 3]).encode(x=x, y=y) for g in guides)
    return alt.layer(line, vertical, horizontal, dot).properties(height=height, title="Your neuron on its activation")


def race(curves: list[Curve], target: float) -> alt.LayerChart:
    """Training error against steps, one line per activation, and the race's finish line (the
    `target` error, dashed), as a chart that presenter mode can enlarge (url_state.readable)."""
    rows = pd.DataFrame([{"step": s, "error": e, "activation": cv.act}
                         for cv in curves for s, e in zip(cv.steps, cv.errors)])
    lines = alt.Chart(rows).mark_line(point=True).encode(
        x=alt.X("step:Q", title="training steps"),
        y=alt.Y("error:Q", title="training error", axis=alt.Axis(format="%")),
        # Three hues far apart (the app theme's blues told ReLU from tanh by lightness alone).
        color=alt.Color("activation:N", title=None, sort=[cv.act for cv in curves],
                        scale=alt.Scale(range=["#1f77b4", "#ff7f0e", "#2ca02c"])),
        tooltip=["activation", "step", alt.Tooltip("error:Q", format=".1%")])
    finish = alt.Chart(pd.DataFrame({"error": [target]})).mark_rule(strokeDash=[4, 4], color="#777777").encode(
        y="error:Q")
    return alt.layer(lines, finish).properties(height=260)


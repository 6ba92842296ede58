"""Altair charts of the "can we trust it" pages: accuracy against epsilon, deletion and insertion
curves, the reliability diagram and the out-of-distribution scores. Plain arrays in, alt.Chart
out; pages only draw them."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

MODEL_COLOURS = ["#3b6fd8", "#e4572e", "#2a9d8f", "#8e6c8a"]


def epsilon_curves(curves: dict[str, object]) -> alt.Chart:
    """{label: robustness.Curve} -> accuracy (%) against epsilon, one line per model."""
    rows = [{"model": label, "epsilon": e, "accuracy": a}
            for label, c in curves.items() for e, a in zip(c.epsilons, c.accuracies)]
    data = pd.DataFrame(rows, columns=["model", "epsilon", "accuracy"])
    return (alt.Chart(data, title="Test accuracy under FGSM").mark_line(point=True)
            .encode(x=alt.X("epsilon:Q", title="ε (how far each pixel may move, 0-1)"),
                    y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
                    color=alt.Color("model:N", title=None, sort=list(curves),
                                    scale=alt.Scale(domain=list(curves), range=MODEL_COLOURS[:len(curves)]),
                                    legend=alt.Legend(orient="top", direction="vertical", labelLimit=500)),
                    tooltip=["model", alt.Tooltip("epsilon:Q", format=".3f"), alt.Tooltip("accuracy:Q", format=".1%")])
            .properties(height=380))


RANDOM_WEIGHTS = " (random weights)"
VARIANTS = ["trained", "random weights", "random order"]


def pixel_curves(fractions: np.ndarray, curves: dict[str, np.ndarray], title: str, dashed=()) -> alt.Chart:
    """Class probability against the fraction of pixels removed (deletion) or added (insertion);
    {label: (S,) probabilities}. A label ending in " (random weights)" is drawn in its method's
    colour, dashed; labels in `dashed` (the random order) dotted in their own colour."""
    rows = []
    for label, ps in curves.items():
        if label.endswith(RANDOM_WEIGHTS):
            method, variant = label.removesuffix(RANDOM_WEIGHTS), VARIANTS[1]
        else:
            method, variant = label, VARIANTS[2] if label in dashed else VARIANTS[0]
        rows += [{"method": method, "map": variant, "pixels": float(f), "probability": float(p)}
                 for f, p in zip(fractions, ps)]
    data = pd.DataFrame(rows, columns=["method", "map", "pixels", "probability"])
    return (alt.Chart(data, title=title).mark_line()
            .encode(x=alt.X("pixels:Q", title="share of the pixels", axis=alt.Axis(format="%")),
                    y=alt.Y("probability:Q", title="class probability", scale=alt.Scale(domain=[0, 1])),
                    color=alt.Color("method:N", title=None, legend=alt.Legend(orient="right", labelLimit=300)),
                    strokeDash=alt.StrokeDash("map:N", title=None, legend=alt.Legend(orient="bottom"),
                                              scale=alt.Scale(domain=VARIANTS, range=[[1, 0], [6, 3], [2, 2]])),
                    detail="map:N",
                    tooltip=["method", "map", alt.Tooltip("pixels:Q", format=".0%"),
                             alt.Tooltip("probability:Q", format=".1%")])
            .properties(height=320))


def reliability(confidence: np.ndarray, accuracy: np.ndarray, counts: np.ndarray, edges: np.ndarray) -> alt.Chart:
    """Bars of accuracy per confidence bin against the diagonal of perfect calibration."""
    keep = counts > 0
    data = pd.DataFrame({"low": edges[:-1][keep], "high": edges[1:][keep], "accuracy": accuracy[keep],
                         "confidence": confidence[keep], "pictures": counts[keep]})
    bars = alt.Chart(data).mark_bar(opacity=0.8, color="#3b6fd8", stroke="white").encode(
        x=alt.X("low:Q", title="confidence (the top class's probability)", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        x2="high:Q",
        y=alt.Y("accuracy:Q", title="share right", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("low:Q", format=".0%", title="from"), alt.Tooltip("high:Q", format=".0%", title="to"),
                 alt.Tooltip("confidence:Q", format=".1%", title="mean confidence"),
                 alt.Tooltip("accuracy:Q", format=".1%"), "pictures"])
    # The bin's mean confidence as a red line across its bar: the gap to the bar's top is the
    # miscalibration. (Tick marks were dots on the diagonal, and their scale padding pushed the
    # 100% bar over the top of the chart.)
    gaps = alt.Chart(data).mark_rule(color="#e4572e", strokeWidth=3).encode(
        x=alt.X("low:Q"), x2="high:Q", y=alt.Y("confidence:Q"))
    line = alt.Chart(pd.DataFrame({"x": [0, 1], "y": [0, 1]})).mark_line(color="grey", strokeDash=[4, 3]).encode(x="x:Q", y="y:Q")
    return (bars + line + gaps).properties(title="Reliability diagram", height=260)


def score_histogram(test_scores: np.ndarray, threshold: float, title: str, marks: dict[str, float] | None = None) -> alt.Chart:
    """Histogram of the test pictures' scores, the threshold as a red rule and `marks` (e.g.
    the current picture's score) as labelled black rules."""
    data = pd.DataFrame({"score": np.asarray(test_scores, float)})
    hist = alt.Chart(data).mark_bar(color="#9ecae1").encode(
        x=alt.X("score:Q", bin=alt.Bin(maxbins=30), title=title), y=alt.Y("count():Q", title="test pictures"))
    rule = alt.Chart(pd.DataFrame({"x": [threshold]})).mark_rule(color="#e4572e", strokeWidth=2).encode(x="x:Q")
    layers = [hist, rule]
    if marks:
        m = pd.DataFrame({"x": list(marks.values()), "label": list(marks)})
        layers.append(alt.Chart(m).mark_rule(color="black", strokeDash=[4, 2], strokeWidth=2).encode(x="x:Q", tooltip=["label"]))
    return alt.layer(*layers).properties(height=220)

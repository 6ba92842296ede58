"""Altair charts of a training run: curves, per-class accuracy, the confusion matrix.

Functions take plain lists / arrays and return alt.Chart; pages only draw them.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

SERIES = alt.Scale(domain=["train", "validation", "test"], range=["#3b6fd8", "#8e6bbf", "#e4572e"])
CONFUSION_SELECTION = "cell"  # the name of the confusion matrix's click selection


def curves(history: list[dict], metric: str, epochs: int | None = None) -> alt.LayerChart:
    """Train, validation (when held out) and test `metric` ("loss" or "accuracy") per epoch; the x axis spans all epochs
    planned, so the lines grow towards the right while training runs."""
    rows = [{"epoch": h["epoch"], "set": s, "value": h[f"{s}_{metric}"]} for h in history
            for s in ("train", "validation", "test") if h.get(f"{s}_{metric}") is not None]
    data = pd.DataFrame(rows, columns=["epoch", "set", "value"])
    x_max = max(epochs or 1, int(data["epoch"].max()) if len(data) else 1)
    present = [s for s in ("train", "validation", "test") if s in set(data["set"])] or ["train", "test"]
    series = alt.Scale(domain=present, range=[SERIES.range[SERIES.domain.index(s)] for s in present])
    y = alt.Y("value:Q", title=metric, scale=alt.Scale(domain=[0, 1]) if metric == "accuracy" else alt.Undefined,
              axis=alt.Axis(format="%") if metric == "accuracy" else alt.Undefined)
    base = alt.Chart(data).encode(
        x=alt.X("epoch:Q", scale=alt.Scale(domain=[1, x_max]), axis=alt.Axis(tickMinStep=1, format="d")),
        y=y, color=alt.Color("set:N", scale=series, title=None),
        tooltip=["epoch", "set", alt.Tooltip("value:Q", format=".4f")])
    # Validation and test pictures are both unseen, so their lines often coincide: the validation
    # line is drawn last and dashed, so the test line shows through its gaps.
    lines = base.transform_filter(alt.datum.set != "validation").mark_line(point=True)
    validation = base.transform_filter(alt.datum.set == "validation").mark_line(point=True, strokeDash=[5, 3])
    return alt.layer(lines, validation, title=f"{metric.capitalize()} per epoch").properties(height=220)


def step_loss(steps: list[tuple[float, float]], window: int = 10) -> alt.Chart:
    """Batch loss against progress in epochs (fractional), with a moving average."""
    data = pd.DataFrame(steps, columns=["epoch", "loss"])
    data["smoothed"] = data["loss"].rolling(window, min_periods=1).mean()
    base = alt.Chart(data, title="Loss of each batch").encode(x=alt.X("epoch:Q", title="epoch"))
    raw = base.mark_line(opacity=0.3, color="#3b6fd8").encode(y=alt.Y("loss:Q"))
    smooth = base.mark_line(color="#3b6fd8").encode(y="smoothed:Q")
    return (raw + smooth).properties(height=220)


def per_class(accuracy: np.ndarray, classes: list[str]) -> alt.Chart:
    data = pd.DataFrame({"class": list(classes), "accuracy": np.asarray(accuracy, dtype=float)})
    return (
        alt.Chart(data, title="Test accuracy per class")
        .mark_bar(color="#3b6fd8")
        .encode(x=alt.X("class:N", sort=list(classes)), y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]),
                                                                   axis=alt.Axis(format="%")),
                tooltip=["class", alt.Tooltip("accuracy:Q", format=".1%")])
        .properties(height=260)
    )


CONFUSION_CELL = 36  # px, a confusion matrix's row on a laptop (presenter mode asks for more)


def confusion(matrix: np.ndarray, classes: list[str], cell: int = CONFUSION_CELL) -> alt.Chart:
    """Heatmap of counts (row: true class, column: predicted); clicking a cell selects its
    (true, predicted) pair under the selection named CONFUSION_SELECTION. `cell`: the row
    height asked for (the chart's height also holds its title and axis, so rows come out
    smaller; with 18 px labels on 24 px rows Vega left every other row unnamed)."""
    k = len(classes)
    rows = [{"true": classes[i], "predicted": classes[j], "count": int(matrix[i, j]),
             "correct": i == j} for i in range(k) for j in range(k)]
    data = pd.DataFrame(rows)
    pick = alt.selection_point(name=CONFUSION_SELECTION, fields=["true", "predicted"], on="click")
    base = alt.Chart(data, title="Confusion matrix (click a cell to see its images)").encode(
        x=alt.X("predicted:N", sort=list(classes), title="predicted class"),
        y=alt.Y("true:N", sort=list(classes), title="true class"),
    )
    cells = base.mark_rect(stroke="#1f2430").encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues", type="sqrt"), legend=None),
        strokeWidth=alt.condition(pick, alt.value(2), alt.value(0)),
        tooltip=["true", "predicted", "count"],
    ).add_params(pick)
    text = base.mark_text(fontSize=max(12, round(cell / 3))).encode(
        text=alt.condition("datum.count > 0", "count:Q", alt.value("")),
        color=alt.condition(f"datum.count > {max(int(matrix.max()), 1) * 0.5}", alt.value("white"), alt.value("#1f2430")),
    )
    side = max(260, min(cell * k, round(520 * cell / CONFUSION_CELL)))
    return (cells + text).properties(width=side, height=side)

"""Altair charts of the CNN-vs-classical-ML comparison (a handful of bars each)."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from explorer.compare.comparison import course_value
from explorer.compare.results import Result

MEASURED, COURSE = "measured here", "course reported"
FLOOR = 1e-5  # seconds; shorter times are drawn at this length
# Model names in full: Vega's default label limit cut 'Fully connected network' to
# 'Fully connected n…' (issue #14); the bars make room instead.
WHOLE_NAMES = alt.Axis(labelLimit=0)


def accuracy_chart(results: list[Result], with_course: bool) -> alt.Chart:
    """Horizontal bars of test accuracy per model; the course's figure beside each when asked."""
    rows = [{"Model": r.title, "Accuracy": r.accuracy, "Source": MEASURED} for r in results]
    if with_course:
        rows += [{"Model": r.title, "Accuracy": course_value(r), "Source": COURSE}
                 for r in results if course_value(r) is not None]
    order = [r.title for r in results]
    return alt.Chart(pd.DataFrame(rows), title="Accuracy on the test split").mark_bar().encode(
        y=alt.Y("Model:N", sort=order, title=None, axis=WHOLE_NAMES),
        yOffset=alt.YOffset("Source:N", sort=[MEASURED, COURSE]),
        x=alt.X("Accuracy:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("Source:N", sort=[MEASURED, COURSE], legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["Model", "Source", alt.Tooltip("Accuracy:Q", format=".4f")],
    ).properties(height=alt.Step(14))


def time_chart(results: list[Result]) -> alt.Chart:
    """Fit and predict seconds per model on a log axis (they span four orders of magnitude)."""
    rows = []
    for r in results:
        if r.fit_seconds is not None:
            rows.append({"Model": r.title, "Seconds": max(r.fit_seconds, FLOOR), "Time": "fit"})
        rows.append({"Model": r.title, "Seconds": max(r.predict_seconds, FLOOR), "Time": "predict (test split)"})
    # A log axis has no zero: bars start one power of ten below the fastest time.
    base = 10.0 ** math.floor(math.log10(min(row["Seconds"] for row in rows)))
    for row in rows:
        row["Base"] = base
    order = [r.title for r in results]
    return alt.Chart(pd.DataFrame(rows), title="Time (log scale)").mark_bar().encode(
        y=alt.Y("Model:N", sort=order, title=None, axis=WHOLE_NAMES),
        yOffset="Time:N",
        x=alt.X("Seconds:Q", scale=alt.Scale(type="log"), title="seconds"),
        x2="Base:Q",
        color=alt.Color("Time:N", scale=alt.Scale(scheme="tableau10"), legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["Model", "Time", alt.Tooltip("Seconds:Q", format=".4f")],
    ).properties(height=alt.Step(14))

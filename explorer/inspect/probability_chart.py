"""The class-probability bar chart of the Inspect pages (Altair; no Streamlit)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

ROW_PX = 16  # one bar per class, tall enough for its label at 12 px


def chart_height(classes: int, label_px: int) -> int:
    """Pixels for the whole chart: a bar per class at least 6 px taller than its label (its text box), plus
    the probability axis under them (Streamlit fits the axes inside the height: at 20 px
    labels the ten bars got 19 px each and their labels ran into each other)."""
    bars = classes * max(ROW_PX, label_px + 6)
    return max(120, bars + 2 * label_px + 52)  # the axis: its labels, its title, their padding (measured)


def probability_chart(probs: np.ndarray, classes: list[str], highlight: int, label_px: int = 12) -> alt.Chart:
    """(K,) probabilities as K labelled bars, the `highlight` (predicted) one in red.

    Streamlit's chart theme sets `labelOverlap: true`, which drops every other label when the
    bars are close: only even classes were named and the prediction was often unlabelled
    (issue #14). Every label is kept here, and each bar gets room for its label.
    """
    df = pd.DataFrame({"class": [str(c) for c in classes], "probability": np.asarray(probs, float),
                       "top": np.arange(len(classes)) == highlight})
    return alt.Chart(df, height=chart_height(len(classes), label_px)).mark_bar().encode(
        y=alt.Y("class:N", sort=None, title=None,
                axis=alt.Axis(labelOverlap=False, labelPadding=4, labelLimit=160, labelFontSize=label_px)),
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", labelFontSize=label_px, titleFontSize=label_px)),
        color=alt.Color("top:N", scale=alt.Scale(domain=[False, True], range=["#9ecae1", "#b2182b"]), legend=None),
        tooltip=["class", alt.Tooltip("probability:Q", format=".1%")],
    )


def probability_spec(probs: np.ndarray, classes: list[str], highlight: int, label_px: int = 12) -> dict:
    """The same chart as a plain Vega-Lite dict, data inline: the live camera redraws it twice
    a second per student, and building it through Altair cost about 40 ms each time."""
    values = [{"class": str(c), "probability": float(p), "top": k == highlight}
              for k, (c, p) in enumerate(zip(classes, np.asarray(probs, float)))]
    return {
        "data": {"values": values}, "mark": {"type": "bar"}, "height": chart_height(len(classes), label_px),
        "encoding": {
            "y": {"field": "class", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelOverlap": False, "labelPadding": 4, "labelLimit": 160, "labelFontSize": label_px}},
            "x": {"field": "probability", "type": "quantitative", "scale": {"domain": [0, 1]},
                  "axis": {"format": "%", "labelFontSize": label_px, "titleFontSize": label_px}},
            "color": {"field": "top", "type": "nominal", "legend": None,
                      "scale": {"domain": [False, True], "range": ["#9ecae1", "#b2182b"]}},
            "tooltip": [{"field": "class", "type": "nominal"},
                        {"field": "probability", "type": "quantitative", "format": ".1%"}],
        },
    }

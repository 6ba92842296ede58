"""The class-probability bar chart of the Inspect pages (Altair; no Streamlit)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

ROW_PX = 22  # one bar per class, tall enough for its label at 13-14 px


def probability_chart(probs: np.ndarray, classes: list[str], highlight: int, label_px: int = 12) -> alt.Chart:
    """(K,) probabilities as K labelled bars, the `highlight` (predicted) one in red.

    Streamlit's chart theme sets `labelOverlap: true`, which drops every other label when the
    bars are close: only even classes were named and the prediction was often unlabelled
    (issue #14). Every label is kept here, and each bar gets room for its label.
    """
    df = pd.DataFrame({"class": [str(c) for c in classes], "probability": np.asarray(probs, float),
                       "top": np.arange(len(classes)) == highlight})
    row = max(ROW_PX, label_px + 8)
    return alt.Chart(df, height=max(120, row * len(classes))).mark_bar().encode(
        y=alt.Y("class:N", sort=None, title=None,
                axis=alt.Axis(labelOverlap=False, labelPadding=4, labelLimit=160, labelFontSize=label_px)),
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", labelFontSize=label_px, titleFontSize=label_px)),
        color=alt.Color("top:N", scale=alt.Scale(domain=[False, True], range=["#9ecae1", "#b2182b"]), legend=None),
        tooltip=["class", alt.Tooltip("probability:Q", format=".1%")],
    )

"""Presenter mode's tables (explorer/ui/tables.py): the numbers read as the grid shows them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from explorer.ui import tables


def test_numbers_keep_the_format_the_page_asked_for():
    frame = pd.DataFrame({"model": ["SVM", "kNN"], "Accuracy": [0.98061, 0.9], "Parameters": [60850, 7],
                          "share": [0.1234, 1.0], "infidelity": [6.54e-4, 1e-5], "epochs": [4, 12]})
    config = {"Accuracy": st.column_config.NumberColumn(format="%.4f"),
              "Parameters": st.column_config.NumberColumn(format="localized"),
              "share": st.column_config.NumberColumn(format="percent"),
              "infidelity": st.column_config.NumberColumn(format="%.2e")}
    text = tables.as_text(frame, config)
    assert text.to_dict("list") == {"model": ["SVM", "kNN"], "Accuracy": ["0.9806", "0.9000"],
                                    "Parameters": ["60,850", "7"], "share": ["12.34%", "100.00%"],
                                    "infidelity": ["6.54e-04", "1.00e-05"], "epochs": ["4", "12"]}


def test_an_arrow_table_with_gaps_and_markdown_characters():
    """A missing figure is an empty cell (not "None" or "nan"); st.table reads cells as Markdown,
    so a name's underscores and stars stay characters."""
    data = pa.table({"network": ["VGG_16*", "LeNet-5"], "top-5 error": [7.3, None], "depth": [16, 5]})
    assert tables.as_text(data, {}).to_dict("list") == {
        "network": ["VGG\\_16\\*", "LeNet-5"], "top-5 error": ["7.3", ""], "depth": ["16", "5"]}
    assert tables.numeric_columns(data) == ["top-5 error", "depth"]
    assert tables.numeric_columns([{"a": "x", "b": np.int64(3), "c": True}]) == ["b"]


def _score_table() -> None:
    import pandas as pd
    import streamlit as st

    from explorer.ui import tables

    frame = pd.DataFrame({"method": ["Saliency", "Occlusion"], "score": [-0.0002, -0.25], "share": [-1e-6, 0.5]})
    tables.show(frame, column_config={"score": st.column_config.NumberColumn(format="%.3f"),
                                      "share": st.column_config.NumberColumn(format="percent")})


def test_a_tiny_negative_score_reads_as_zero_not_minus_zero():
    """The Faithful explanations table showed Saliency's score -0.0002 as "-0.000", in the grid and
    in presenter mode: a sign where the value is nothing. A real negative value keeps its sign."""
    from streamlit.testing.v1 import AppTest

    from explorer.ui import url_state

    at = AppTest.from_function(_score_table).run()
    sent = at.dataframe[0].value
    assert sent["score"].tolist() == [0.0, -0.25] and not np.signbit(sent["score"][0])
    assert not np.signbit(sent["share"][0])
    at = AppTest.from_function(_score_table)
    at.session_state[url_state.PRESENT_KEY] = True
    at.run()
    cells = at.table[0].value
    assert cells["score"].tolist() == ["0.000", "-0.250"] and cells["share"].tolist() == ["0.00%", "50.00%"]

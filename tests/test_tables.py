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

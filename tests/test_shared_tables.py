"""Tables the class shares (explorer/ui/shared_charts.table): converted to Arrow once for every
student, and the browser gets the same bytes as from the pandas frame st.dataframe converted on
every run before."""

from __future__ import annotations

import pandas as pd
from streamlit import dataframe_util

from explorer.ui import cached, shared_charts


def test_a_table_is_converted_once_for_the_class():
    cached.shared_results().clear()
    built = []

    def build() -> pd.DataFrame:
        built.append(1)
        return pd.DataFrame([{"shift (px)": s, "pooled map changes by": f"{s / 10:.1%}"} for s in range(1, 5)])

    first = shared_charts.table(("test_shift", 4), build)
    again = shared_charts.table(("test_shift", 4), build)  # another student, the same settings
    assert len(built) == 1 and again is first
    assert dataframe_util.convert_arrow_table_to_arrow_bytes(first) == \
        dataframe_util.convert_pandas_df_to_arrow_bytes(build())  # what the browser got before
    assert cached.shared_results().stats().bytes >= first.nbytes  # counted in the store's bound

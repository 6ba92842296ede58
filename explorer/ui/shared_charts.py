"""Charts and tables that depend only on shared results (a model, a picture, a layer, a Learn
page's settings), built once for the whole class and drawn from their Vega-Lite spec or their
Arrow table.

Building an Altair grid of feature maps (a PNG per cell) and validating it costs 0.1-0.5 s per
layer; the Filters page draws every layer on each run, about 4.5 s per student per run on the
2-core server. The spec is the same for every student looking at the same model, picture and
selection, so it is kept in cached.shared_results and only handed to st.vega_lite_chart.

Its inline datasets are stored as Arrow IPC bytes, the form Streamlit sends them in: handed a
spec whose datasets are lists of rows, st.vega_lite_chart converts each to Arrow (through
pandas) on every run, for every student (a third of a chart's cost on the server, py-spy).
Tables likewise: st.dataframe converts a pandas frame to Arrow on every call (Architectures'
two tables were a third of a change of architecture), a pyarrow Table it only writes out.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import altair as alt
import pandas as pd
import pyarrow as pa
from streamlit import dataframe_util

from explorer.ui import cached

TOP_DATA = "shared_rows"  # the dataset name of a spec's own inline rows


def spec(key: tuple[Hashable, ...], build: Callable[[], alt.TopLevelMixin | dict | None]) -> dict | None:
    """The Vega-Lite spec (a dict, shared: do not modify) of the chart `build()` returns (an
    Altair chart or a spec; None when it draws no chart); `key` names everything the chart
    depends on."""
    return cached.shared_results().get(("chart", *key), lambda: as_sent(build()))


def as_sent(chart: alt.TopLevelMixin | dict | None) -> dict | None:
    """A chart's spec with its named datasets as Arrow bytes (what st.vega_lite_chart sends)."""
    if chart is None:
        return None
    out = dict(chart) if isinstance(chart, dict) else chart.to_dict()
    data = out.get("data")
    if isinstance(data, dict) and isinstance(data.get("values"), list):
        # Inline rows ({"data": {"values": [...]}}) are converted on every call as well: named
        # instead, they travel as a dataset like Altair's (the same rows, the same chart).
        out["data"] = {"name": TOP_DATA, **{k: v for k, v in data.items() if k != "values"}}
        out["datasets"] = {**out.get("datasets", {}), TOP_DATA: data["values"]}
    if "datasets" in out:
        out["datasets"] = {name: rows if isinstance(rows, bytes) else dataframe_util.convert_anything_to_arrow_bytes(rows)
                           for name, rows in out["datasets"].items()}
    return out


def draw(where, what: tuple[Hashable, ...], build: Callable[[], alt.TopLevelMixin | dict], **kwargs) -> None:
    """st.vega_lite_chart(**kwargs) of the shared spec named `what` in `where` (st or a container)."""
    where.vega_lite_chart(spec=spec(what, build), **kwargs)


def table(key: tuple[Hashable, ...], build: Callable[[], pd.DataFrame]) -> pa.Table:
    """The Arrow table (shared: do not modify) of the frame `build()` returns, converted as
    st.dataframe converts a pandas frame (the same bytes reach the browser); `key` names
    everything the frame depends on."""
    return cached.shared_results().get(("table", *key), lambda: dataframe_util.convert_pandas_df_to_arrow_table(build()))

"""Read-only tables: an interactive grid on a laptop, plain large text in presenter mode.

st.dataframe draws its cells on a canvas with a fixed 13 px font that no page style can
reach, so in presenter mode every table read 13 px from the back of the room. In presenter
mode the same rows go to st.table instead: HTML text that the presenter style enlarges
(url_state.PRESENTER_CSS), in cells that wrap rather than cut long text off at the grid's
edge. The numbers keep the formats the page asked of st.dataframe.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from explorer.ui import url_state

# st.table renders each cell as Markdown: these would turn a name or a number into formatting.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|$~])")


def show(data: Any, *, column_config: dict | None = None, key: str | None = None, width: str = "stretch") -> None:
    """Draw `data` (a pandas frame, a pyarrow Table or a list of row dicts) without its index.
    column_config: st.column_config entries by column name (their number formats apply in
    both modes); key: the grid's widget key (laptop mode); width: "stretch" or "content"."""
    data = without_negative_zeros(data, column_config or {})
    if url_state.presenting():
        st.table(styled(as_text(data, column_config or {}), numeric_columns(data)), hide_index=True, width=width)
    else:
        st.dataframe(data, hide_index=True, width=width, column_config=column_config, key=key)


# "%.3f", "%+.2f": the decimals a printf format writes.
_FIXED = re.compile(r"%[-+ 0#]*\d*\.(\d+)f$")


def without_negative_zeros(data: Any, column_config: dict) -> Any:
    """`data` with every float its column's format writes as zero set to +0.0: a score of
    -0.0002 read "-0.000" in a table of three decimals, a sign where there is nothing. Other
    values, and data without such formats, are left as they are."""
    decimals = {}
    for column, config in column_config.items():
        fmt = _format(config) or ""
        if (m := _FIXED.search(fmt)) is not None:
            decimals[column] = int(m.group(1))
        elif fmt == "percent":  # x 100, two decimals
            decimals[column] = 4
    if not decimals:
        return data
    frame = data.to_pandas() if isinstance(data, pa.Table) else pd.DataFrame(data)
    for column, places in decimals.items():
        if column in frame.columns and pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].mask(frame[column].abs() < 0.5 * 10.0 ** -places, 0.0)
    return frame


def as_text(data: Any, column_config: dict) -> pd.DataFrame:
    """The rows as a frame of strings, each number written as `column_config` formats it
    (rows x columns as in `data`)."""
    frame = data.to_pandas() if isinstance(data, pa.Table) else pd.DataFrame(data)
    return pd.DataFrame({str(column): [cell(v, _format(column_config.get(column))) for v in frame[column]]
                         for column in frame.columns})


def styled(text: pd.DataFrame, numeric: list[str]):
    """`text` as a pandas Styler whose number columns (cells and headings) line up on the right,
    as in the grid (st.table writes each cell's alignment inline, hence !important)."""
    places = [i for i, c in enumerate(text.columns) if c in numeric]
    return (text.style.set_properties(subset=[text.columns[i] for i in places], **{"text-align": "right !important"})
            .set_table_styles([{"selector": f"th.col{i}", "props": "text-align: right !important"} for i in places]))


def numeric_columns(data: Any) -> list[str]:
    """The names of `data`'s columns that hold numbers."""
    if isinstance(data, pa.Table):
        return [f.name for f in data.schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)]
    frame = pd.DataFrame(data)
    numeric, boolean = pd.api.types.is_numeric_dtype, pd.api.types.is_bool_dtype
    return [str(c) for c in frame.columns if numeric(frame[c]) and not boolean(frame[c])]


def _format(config: Any) -> str | None:
    if not isinstance(config, dict):
        return None
    return (config.get("type_config") or {}).get("format")


def cell(value: Any, fmt: str | None) -> str:
    """One value as st.dataframe shows it: printf formats ("%.3f"), "localized" (thousands
    separated), "percent" (x 100, two decimals); floats without a format to four decimals."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        return _MARKDOWN.sub(r"\\\1", str(value))
    whole = isinstance(value, int | np.integer)
    if fmt == "localized":
        return f"{int(value):,}" if whole or float(value).is_integer() else f"{value:,.4f}".rstrip("0").rstrip(".")
    if fmt == "percent":
        return f"{value * 100:.2f}%"
    if fmt and "%" in fmt:
        return fmt % (int(value) if fmt.endswith("d") else float(value))
    return str(int(value)) if whole else f"{value:.4f}".rstrip("0").rstrip(".")

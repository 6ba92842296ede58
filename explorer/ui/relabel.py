"""A select box whose option labels can change while it is on screen (a model renamed).

With a key, Streamlit 1.67 keeps a select box's identity when its labels change, and the
browser went on showing the renamed model's old label (issue #14). Keying the widget by its
labels makes the browser draw a fresh one; the choice itself lives under a plain
session_state key, so it survives the new widget.
"""

from __future__ import annotations

import zlib

import streamlit as st


def select(label: str, ids: list[str], labels: dict[str, str], state_key: str) -> str:
    """st.selectbox over `ids` shown as `labels`; the choice is read and kept in
    st.session_state[state_key] (set it before the call to choose for the student)."""
    signature = zlib.crc32("\x1f".join(labels[i] for i in ids).encode())
    key = f"{state_key}_shown_{signature:08x}"
    chosen = st.session_state.get(state_key)
    if chosen in ids and st.session_state.get(key) != chosen:
        st.session_state[key] = chosen  # allowed: the widget of this run does not exist yet
    pick = st.selectbox(label, ids, format_func=labels.get, key=key)
    st.session_state[state_key] = pick
    return pick

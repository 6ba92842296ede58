"""The sidebar every page shares."""

from __future__ import annotations

import streamlit as st

from explorer.ui import cached


def render() -> None:
    with st.sidebar:
        st.caption(f"Training device: **{cached.device_line()}**")

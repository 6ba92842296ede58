"""The sidebar every page shares, and the device line that Home shows too."""

from __future__ import annotations

import streamlit as st

from explorer.ui import device_probe


def render() -> None:
    with st.sidebar:
        device_text("Training device: **{}**", small=True)


def device_text(template: str, small: bool = False) -> None:
    """Draw template.format(device line); until the probe is done, 'checking…' in a fragment
    that polls and then reruns the page once (no polling after that)."""
    line = device_probe.line()
    if line is not None:
        _draw(template.format(line), small)
    else:
        _pending(template, small)


def _draw(text: str, small: bool) -> None:
    (st.caption if small else st.markdown)(text)


@st.fragment(run_every=0.5)
def _pending(template: str, small: bool) -> None:
    if device_probe.line() is None:
        _draw(template.format("checking…"), small)
    else:
        st.rerun()

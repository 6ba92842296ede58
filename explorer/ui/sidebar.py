"""The sidebar every page shares (the menu of pages, presenter mode, the link to this view, the
training device, the app's version), and the device line that Home shows too."""

from __future__ import annotations

import streamlit as st

from explorer.launch.version import __version__
from explorer.ui import device_probe, navigation, url_state

# A table's toolbar (show/hide columns, download, search, full screen) appears 44 px above the
# table's top edge on hover; over a caption or a sentence right above the table it hid the end of
# its lines (issue #14). Such tables get that room above them.
APP_CSS = """<style>
[data-testid="stMain"] [data-testid="stElementContainer"]:has([data-testid="stMarkdown"])
  + [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) { margin-top: 2rem; }
</style>"""


def render() -> None:
    """The menu, presenter mode and the link to this view, then the training device and the version."""
    with st.sidebar:
        st.html(APP_CSS)
        navigation.menu()
        url_state.presenter_toggle()
        url_state.copy_link()
        device_text("Training device: **{}**", small=True)
        st.caption(f"CNN Explorer {__version__}")


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

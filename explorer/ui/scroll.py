"""Bring one place of the page into view, once: after the Train click the run's progress starts
below the button, under the first screen of a laptop (1400x900) and of a projector (1280x720),
so a student saw nothing happen until they scrolled.

A Streamlit component (st.components.v2: inline JavaScript in the page itself, no iframe, nothing
fetched) that scrolls its own place to the top of the window when it is mounted with a new token.
"""

from __future__ import annotations

import streamlit as st

JS = """
export default function ({ data, parentElement }) {
  const host = parentElement.host ?? parentElement;
  if (!data || host.dataset.scrolledFor === data) return;  // once per token, not on every rerun
  host.dataset.scrolledFor = data;
  requestAnimationFrame(() => host.scrollIntoView({ behavior: "smooth", block: "start" }));
}
"""

_COMPONENT = st.components.v2.component("cnn_explorer_scroll_here", html="<span></span>", js=JS)


def here(token: str, key: str) -> None:
    """Scroll the window so that this place is at its top, once per `token` (say a job's id)."""
    _COMPONENT(key=key, data=token, height=0)

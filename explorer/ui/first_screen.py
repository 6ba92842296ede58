"""The first screen first: a page that has just been opened sends what fills the screen, lets the
browser draw it, then sends the rest.

A page's run takes a few tens of milliseconds on the server, so its elements reach the browser
together, and the browser builds the whole page (Pooling: 7 pictures, 5 charts, 6 sliders,
2,200 nodes) before it shows any picture. On a 2-core machine running Chromium, a switch to
Pooling took 572-635 ms at p95 until its first picture was drawn; with the rest sent 0.15 s after
the first screen, 284-379 ms (bench/README.md, "Page switch: the first screen first"). The rest
is below the fold: a student scrolling to it finds it there.

Only the run that opens a page pauses: a fragment's rerun or a widget's change of a page
already on screen sends everything at once, as before (the lecture waits on those).
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

PAUSE_SECONDS = 0.15
_LAST = "_first_screen_last"  # session_state: the page the last full run ran
_OPENING = "_first_screen_opening"  # session_state: this full run opens its page; cleared by the pause


def begin(page: str) -> None:
    """Call on every full run before the page runs (app.py), with the page's path: notes whether
    this run opens the page (another page, or none, ran last)."""
    st.session_state[_OPENING] = st.session_state.get(_LAST) != page
    st.session_state[_LAST] = page


def drawn() -> bool:
    """Call where a page's first screen ends: on the run that opens the page, the elements so far
    go out and the browser has PAUSE_SECONDS to draw them before the rest follows (True). Nothing
    on a widget's change, a second call in the same run or a fragment's rerun (False), also after
    an opening run that stopped before its first screen ended (Maximal activations without its
    pictures): its mark is left, and a fragment's rerun would otherwise take it."""
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:
        return False
    if not st.session_state.pop(_OPENING, False):
        return False
    time.sleep(PAUSE_SECONDS)
    return True

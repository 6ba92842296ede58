"""A place on the page whose old contents leave in one step when it is filled anew.

Streamlit updates a page in place: a container drawn where a container stood keeps the old one's
elements, greyed, until the new run replaces each or ends. After a Train click the previous run's
results (charts, pictures) were greyed, scrolled past and taken down while the new run trained
(bench/README.md, round 7). An `st.empty()` drawn first in that spot would replace the old block in
one step, but not when the container follows in the same spot: the server merges two messages for one
spot while both wait in its queue. So the place is two spots, a container and an empty element,
that swap on every fresh start: the spot that held the old contents gets the empty element, and
every spot gets one message.
"""

from __future__ import annotations

import streamlit as st


def place(key: str, fresh: bool):
    """The container to draw in; with `fresh` its spot swaps with the empty one's, so what was
    drawn there before leaves at once. Same `key` on every run of the page."""
    swapped = st.session_state.get(key, False) ^ fresh
    st.session_state[key] = swapped
    if swapped:
        st.empty()
        return st.container()
    box = st.container()
    st.empty()
    return box

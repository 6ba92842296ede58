"""first_screen: only the run that opens a page waits for the browser to draw its first screen."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st

    from explorer.ui import first_screen

    page = st.radio("page", ["pooling", "convolution"], key="page")
    first_screen.begin(page)
    st.button("a change on the same page", key="same")
    paused = [first_screen.drawn(), first_screen.drawn()]  # a second call in the run never waits

    @st.fragment
    def part():
        st.button("a change inside a fragment", key="inner")
        st.session_state["fragment_paused"] = first_screen.drawn()

    part()
    st.session_state["paused"] = paused


def test_only_the_run_that_opens_a_page_waits():
    at = AppTest.from_function(_app).run()
    assert at.session_state["paused"] == [True, False]  # the page was opened
    at.button(key="same").click().run()
    assert at.session_state["paused"] == [False, False]  # the same page, changed: everything at once
    at.radio(key="page").set_value("convolution").run()
    assert at.session_state["paused"] == [True, False]  # another page opened
    at.button(key="inner").click().run()
    assert at.session_state["fragment_paused"] is False  # a fragment's rerun: everything at once
    at.radio(key="page").set_value("pooling").run()
    assert at.session_state["paused"] == [True, False]

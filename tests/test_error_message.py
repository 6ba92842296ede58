"""Issue #14, item 2: when a page fails, the student reads what to do here, not a note about
Streamlit Cloud, data leaks or a chatbot."""

from __future__ import annotations

import tomllib

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def failing_page() -> None:
    import streamlit as st

    from explorer.ui import streamlit_fixes

    streamlit_fixes.install()  # as every page does

    @st.fragment
    def part() -> None:
        raise RuntimeError("a bug")

    part()


def test_a_failing_page_tells_the_student_what_to_do():
    at = AppTest.from_function(failing_page, default_timeout=60)
    at.run()
    assert at.exception
    text = at.exception[0].message
    assert "Undo your last change" in text and "menu on the left" in text
    for bad in ("Cloud", "Manage app", "ChatGPT", "Google", "redacted", "a bug"):
        assert bad not in text


def test_config_hides_details_and_help_links():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["showErrorLinks"] is False

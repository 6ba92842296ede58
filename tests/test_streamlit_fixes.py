"""The Streamlit repairs (explorer/ui/streamlit_fixes.py): their internals still exist, and
each repair does what a student would otherwise meet as a broken page."""

from __future__ import annotations

import pytest
from streamlit.runtime.state.session_state import SessionState
from streamlit.testing.v1 import AppTest

from explorer.ui import streamlit_fixes


def test_every_internal_a_repair_relies_on_is_still_there():
    # Fails loudly after a Streamlit upgrade that removes or reshapes what the repairs patch.
    assert streamlit_fixes.missing_internals() == []


def _bound_number_page():
    import streamlit as st

    from explorer.ui import streamlit_fixes

    streamlit_fixes.install()
    side = st.number_input("Side", 1, 512, 64, key="side", bind="query-params")
    st.write(f"side is {side}")


@pytest.fixture
def unpatched(monkeypatch):
    """SessionState as Streamlit ships it, for the length of one test."""
    seed = SessionState._seed_widget_from_url
    monkeypatch.setattr(SessionState, "_seed_widget_from_url", getattr(seed, "__wrapped__", seed))


def test_an_overflowing_link_value_breaks_the_page_without_the_repair(unpatched, monkeypatch):
    monkeypatch.setattr(streamlit_fixes, "install", lambda: None)
    at = AppTest.from_function(_bound_number_page)
    at.query_params["side"] = "1e999"
    at.run()
    assert at.exception  # OverflowError: int(inf)


def _required_choice_page():
    import streamlit as st

    from explorer.ui import streamlit_fixes

    streamlit_fixes.install()
    mode = st.segmented_control("Mode", ["max", "avg"], default="max", required=True, key="mode",
                                bind="query-params")
    st.write(f"mode is {mode.upper()}")


def test_an_empty_value_for_a_required_choice_breaks_the_page_without_the_repair(unpatched, monkeypatch):
    monkeypatch.setattr(streamlit_fixes, "install", lambda: None)
    at = AppTest.from_function(_required_choice_page)
    at.query_params["mode"] = ""
    at.run()
    assert at.exception  # None.upper(): a page meets a value its widget could never produce


def test_an_empty_value_for_a_required_choice_is_dropped(unpatched):
    at = AppTest.from_function(_required_choice_page)
    at.query_params["mode"] = ""
    at.run()
    assert not at.exception
    assert "mode is MAX" in [m.value for m in at.markdown]


def test_an_overflowing_link_value_is_dropped_like_any_bad_value(unpatched):
    at = AppTest.from_function(_bound_number_page)
    at.query_params["side"] = "1e999"
    at.run()
    assert not at.exception
    assert at.number_input(key="side").value == 64
    assert "side" not in at.query_params


def test_the_repair_is_installed_once_and_passes_named_arguments_through(unpatched):
    streamlit_fixes.install()
    first = SessionState._seed_widget_from_url
    streamlit_fixes.install()
    assert SessionState._seed_widget_from_url is first
    assert streamlit_fixes._argument((), {"user_key": "side", "metadata": None}, "user_key") == "side"
    assert streamlit_fixes._argument(("meta", "side", "id", "1e999"), {}, "url_value") == "1e999"


def test_a_fresh_server_routes_a_page_link_through_the_app(monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    streamlit_fixes.install()  # no script run here: switches mode without a rerun
    assert PagesManager.uses_pages_directory is False


def test_every_page_installs_the_repairs_before_drawing():
    """A shared link that is a fresh server's first request runs the page file alone (repair 1,
    tests/browser/test_fresh_server.py shows it on Pooling): a page without install() opened
    that way had no sidebar, no presenter switch and the raw link-value errors (Fooling,
    Confidence, Faithfulness and Building blocks lacked it)."""
    import ast
    from pathlib import Path

    pages = sorted((Path(__file__).resolve().parent.parent / "pages").glob("*.py"))
    assert len(pages) >= 15
    missing = []
    for path in pages:
        body = ast.parse(path.read_text()).body
        first = next((n for n in body if not isinstance(n, (ast.Import, ast.ImportFrom))
                      and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))), None)
        if not (isinstance(first, ast.Expr) and ast.unparse(first) == "streamlit_fixes.install()"):
            missing.append(path.name)
    assert missing == []

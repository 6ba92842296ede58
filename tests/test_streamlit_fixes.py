"""The Streamlit repairs (explorer/ui/streamlit_fixes.py): their internals still exist, and
each repair does what a student would otherwise meet as a broken page."""

from __future__ import annotations

import pytest
from streamlit.runtime.state.session_state import SessionState
from streamlit.testing.v1 import AppTest

from explorer.ui import streamlit_fixes
from tests.event_loops import in_own_loop


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


def test_a_runs_elements_wake_the_event_loop_once_per_batch_and_arrive_in_order():
    """Repair 4: 200 elements sent from the script's thread while the server's event loop is busy
    reach the session's browser queue complete and in order, after one wake-up of the loop (one
    per element before: a GIL hand-over each, the largest item of the class bench's profile)."""
    import asyncio
    import threading

    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.script_data import ScriptData
    from streamlit.runtime.scriptrunner import ScriptRunnerEvent
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    from tests.conftest import ROOT

    async def run_page() -> tuple[int, list[str]]:
        streamlit_fixes.install(page=False)
        session = AppSession(ScriptData(str(ROOT / "app.py"), False), MemoryUploadedFileManager("/_stcore/upload_file"),
                             ScriptCache(), None, {})
        wakes = []
        wake = session._call_soon_on_event_loop
        session._call_soon_on_event_loop = lambda callback: (wakes.append(callback), wake(callback))

        def script() -> None:  # what a ScriptRunner's thread does for each element it draws
            for i in range(200):
                msg = ForwardMsg()
                msg.metadata.delta_path[:] = [0, i]
                msg.delta.new_element.markdown.body = f"element {i}"
                session._on_scriptrunner_event(None, ScriptRunnerEvent.ENQUEUE_FORWARD_MSG, forward_msg=msg)

        thread = threading.Thread(target=script)
        thread.start()
        thread.join()  # the loop is blocked meanwhile, as a busy server's loop is
        await asyncio.sleep(0.05)
        sent = [m.delta.new_element.markdown.body for m in session._browser_queue.flush()]
        session.shutdown()
        return len(wakes), sent

    wakes, sent = in_own_loop(run_page())
    assert sent == [f"element {i}" for i in range(200)]
    assert wakes == 1


def test_hashing_a_runs_messages_reads_the_cached_size_setting_once(monkeypatch):
    """Repair 5: every message a run draws was hashed with a read of "global.minCachedMessageSize"
    under the config's lock (which the event loop holds while it builds each run's theme); the
    server now reads it once. Which messages the browser may cache stays the same."""
    from streamlit import config
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime import forward_msg_cache

    streamlit_fixes.install(page=False)
    reads = []
    real = config.get_option
    monkeypatch.setattr(config, "get_option", lambda key: (reads.append(key), real(key))[1])
    limit = int(real(streamlit_fixes.MIN_CACHED_SIZE))
    flags = []
    for size in [10, limit // 2, limit + 100] * 100:
        msg = ForwardMsg()
        msg.delta.new_element.markdown.body = "x" * size
        forward_msg_cache.populate_hash_if_needed(msg)
        flags.append((size > limit, msg.metadata.cacheable, bool(msg.hash)))
    assert streamlit_fixes.MIN_CACHED_SIZE not in reads  # 300 reads under the lock before
    assert all(big == cacheable and hashed for big, cacheable, hashed in flags)

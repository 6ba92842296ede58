"""Two repairs of Streamlit 1.67 internals, installed explicitly by app.py and every page.

1. Links on a fresh server. An app with a pages/ folder counts as an old-style multipage app
   until `st.navigation` first runs, so the first request for a shared link such as
   /convolution would run pages/convolution.py alone (no navigation, no page config). A
   page's `install()` then switches Streamlit to app.py's navigation and reruns once; every
   later run goes through app.py. app.py itself needs no rerun: its st.navigation switches.
   (A page folder with another name would avoid this, but pages/ is the layout every
   Streamlit reader knows.)
2. Overflowing link values. Streamlit drops a URL value that a bound widget cannot read
   (ValueError) but not one that overflows: ?architectures_side=1e999 (int(inf)) raised
   OverflowError and broke the page. Such a value is now dropped like any other bad value.

Each repair relies on one internal; `missing_internals()` names any that a Streamlit upgrade
removed, and a test fails on it, so an upgrade cannot silently undo a repair.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def _pages_manager():
    from streamlit.runtime.pages_manager import PagesManager

    return PagesManager


def _session_state_class():
    from streamlit.runtime.state.session_state import SessionState

    return SessionState


# _seed_widget_from_url(self, metadata, user_key, ...): the user key is what gets cleared.
_REROUTED = "streamlit_fixes_routed"  # session_state: this session runs through app.py
_SEED_ARGS = ("metadata", "user_key", "widget_id", "url_value")


def _parameters(method) -> tuple[str, ...]:
    import inspect

    wrapped = getattr(method, "__wrapped__", method)
    return tuple(inspect.signature(wrapped).parameters)[1:]


def missing_internals() -> list[str]:
    """The Streamlit internals a repair relies on that this Streamlit lacks (empty when all is well)."""
    missing = []
    try:
        if not hasattr(_pages_manager(), "uses_pages_directory"):
            missing.append("PagesManager.uses_pages_directory")
    except ImportError:
        missing.append("streamlit.runtime.pages_manager.PagesManager")
    try:
        state = _session_state_class()
        seed = getattr(state, "_seed_widget_from_url", None)
        if seed is None or not hasattr(state, "_clear_url_param") or _SEED_ARGS[:2] != _parameters(seed)[:2]:
            missing.append(f"SessionState._seed_widget_from_url{_SEED_ARGS} / _clear_url_param")
    except ImportError:
        missing.append("streamlit.runtime.state.session_state.SessionState")
    return missing


def install(page: bool = True) -> None:
    """Install both repairs (idempotent; a missing internal is logged, never raised). Pages
    call it with page=True, app.py with page=False (a rerun there would drop a button click)."""
    problems = missing_internals()
    if problems:
        log.warning("Streamlit changed; repairs not installed for: %s", ", ".join(problems))
        return
    _drop_overflowing_url_values()
    if page:
        _use_app_navigation()
    else:
        _mark_routed()


def _mark_routed() -> None:
    """This session runs through app.py's navigation: its pages never need the reroute."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is not None:
        st.session_state[_REROUTED] = True


def _use_app_navigation() -> None:
    pages_manager = _pages_manager()
    if not pages_manager.uses_pages_directory:
        return
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is None:  # outside a script run: nothing to rerun
        pages_manager.uses_pages_directory = False
    elif not st.session_state.get(_REROUTED):
        # Once per session, and never after app.py ran: Streamlit's AppTest sets the flag again
        # before every run, and a rerun then would drop the button click that started the run.
        st.session_state[_REROUTED] = True
        pages_manager.uses_pages_directory = False
        st.rerun()


def _drop_overflowing_url_values() -> None:
    state = _session_state_class()
    seed = state._seed_widget_from_url
    if getattr(seed, "drops_overflow", False):
        return

    def guarded(self, *args, **kwargs):
        # Any arguments the wrapped method takes pass through; only the overflow is caught.
        try:
            return seed(self, *args, **kwargs)
        except OverflowError:
            self._clear_url_param(_user_key(args, kwargs))
            return False

    guarded.drops_overflow = True
    guarded.__wrapped__ = seed
    state._seed_widget_from_url = guarded


def _user_key(args: tuple, kwargs: dict) -> str:
    """The widget's user key among _seed_widget_from_url's arguments (positional or named)."""
    return kwargs["user_key"] if "user_key" in kwargs else args[_SEED_ARGS.index("user_key")]

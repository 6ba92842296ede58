"""Five repairs of Streamlit 1.67 internals, installed explicitly by app.py and every page.

1. Links on a fresh server. An app with a pages/ folder counts as an old-style multipage app
   until `st.navigation` first runs, so the first request for a shared link such as
   /convolution would run pages/convolution.py alone (no navigation, no page config). A
   page's `install()` then switches Streamlit to app.py's navigation and reruns once; every
   later run goes through app.py. app.py itself needs no rerun: its st.navigation switches.
   (A page folder with another name would avoid this, but pages/ is the layout every
   Streamlit reader knows.)
2. One check of every value a link gives a bound widget. Streamlit drops a URL value that a
   bound widget cannot read (ValueError) but not one that overflows (?architectures_side=1e999:
   int(inf) raised OverflowError), nor an empty value for a required choice (?pooling_mode=
   gave the page a KeyError), nor NaN or endless text. Each such value is now dropped like
   any other bad value (url_state.usable decides), and the widget keeps its default.
3. The sentence a student reads when a page fails after all. With showErrorDetails = "none"
   Streamlit shows a note about data leaks, logs and "Streamlit Cloud ... Manage app"; it is
   replaced by STUDENT_ERROR, which says what to do here (the details still go to the log).
4. One wake-up of the server's event loop per batch of a run's messages, not per element.
   A script run hands every element to the event loop with call_soon_threadsafe: a write to
   the loop's wake-up socket (which releases the GIL) and a switch to the loop's thread, then
   back, for each of a page's 50-150 elements. With a class clicking, the script threads and
   the loop then pass the GIL back and forth hundreds of times per run (py-spy on the class
   bench: the largest single item). Events of a session are now queued in order and the loop
   is woken once for all that arrived before it ran; it handles them in the same order.
5. One read of a setting per server, not one per element. Every message a run draws is hashed
   by `forward_msg_cache.populate_hash_if_needed`, which reads "global.minCachedMessageSize"
   with `config.get_option`: under `config._config_lock`, a lock the event loop also holds while
   it builds each run's theme from every option. With a class clicking, the script threads
   queued on that lock for every element (py-spy on 80 Pooling changes: 6% of the server's
   time at that one line). The value (a hidden option, fixed when the server starts) is read
   once; every other option is still read from the config.

Each repair relies on one internal; `missing_internals()` names any that a Streamlit upgrade
removed, and a test fails on it, so an upgrade cannot silently undo a repair.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def _pages_manager():
    from streamlit.runtime.pages_manager import PagesManager

    return PagesManager


def _session_state_class():
    from streamlit.runtime.state.session_state import SessionState

    return SessionState


STUDENT_ERROR = (
    "Something went wrong on this page; the details were written to the server's log. "
    "Undo your last change, or open the page again from the menu on the left to start from "
    "its usual settings. If it happens again, tell your teacher which clicks led here."
)
_REROUTED = "streamlit_fixes_routed"  # session_state: this session runs through app.py
# SessionState._seed_widget_from_url(self, metadata, user_key, widget_id, url_value): the value
# is checked with the metadata's deserializer and value_type; a bad one's user key is cleared.
_SEED_ARGS = ("metadata", "user_key", "widget_id", "url_value")
_METADATA_FIELDS = ("deserializer", "value_type")
# AppSession._on_scriptrunner_event and _handle_scriptrunner_event_on_event_loop take these.
_EVENT_ARGS = ("sender", "event", "forward_msg", "exception", "client_state", "page_script_hash",
               "fragment_ids_this_run", "pages", "run_descriptor")


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
        if seed is None or not hasattr(state, "_clear_url_param") or _SEED_ARGS != _parameters(seed)[:4]:
            missing.append(f"SessionState._seed_widget_from_url{_SEED_ARGS} / _clear_url_param")
    except ImportError:
        missing.append("streamlit.runtime.state.session_state.SessionState")
    try:
        from dataclasses import fields

        from streamlit.runtime.state.common import WidgetMetadata

        if not set(_METADATA_FIELDS) <= {f.name for f in fields(WidgetMetadata)}:
            missing.append(f"WidgetMetadata{_METADATA_FIELDS}")
    except (ImportError, TypeError):
        missing.append("streamlit.runtime.state.common.WidgetMetadata")
    try:
        from streamlit.runtime.state.query_params import parse_url_param  # noqa: F401
    except ImportError:
        missing.append("streamlit.runtime.state.query_params.parse_url_param")
    try:
        from streamlit.elements import exception

        if not isinstance(getattr(exception, "_GENERIC_UNCAUGHT_EXCEPTION_TEXT", None), str):
            missing.append("streamlit.elements.exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT")
    except ImportError:
        missing.append("streamlit.elements.exception")
    try:
        from streamlit.runtime.app_session import AppSession

        handler = getattr(AppSession, "_handle_scriptrunner_event_on_event_loop", None)
        if (handler is None or not hasattr(AppSession, "_call_soon_on_event_loop")
                or _parameters(AppSession._on_scriptrunner_event) != _EVENT_ARGS
                or _parameters(handler) != _EVENT_ARGS):
            missing.append(f"AppSession._on_scriptrunner_event{_EVENT_ARGS} / _handle_scriptrunner_event_on_event_loop"
                           " / _call_soon_on_event_loop")
    except ImportError:
        missing.append("streamlit.runtime.app_session.AppSession")
    try:
        from streamlit.runtime import forward_msg_cache

        if not callable(getattr(getattr(forward_msg_cache, "config", None), "get_option", None)):
            missing.append("streamlit.runtime.forward_msg_cache.config.get_option")
    except ImportError:
        missing.append("streamlit.runtime.forward_msg_cache")
    return missing


def install(page: bool = True) -> None:
    """Install the repairs (idempotent; a missing internal is logged, never raised). Pages
    call it with page=True, app.py with page=False (a rerun there would drop a button click)."""
    problems = missing_internals()
    if problems:
        log.warning("Streamlit changed; repairs not installed for: %s", ", ".join(problems))
        return
    _check_url_values()
    _student_error_message()
    _batch_run_events()
    _read_cached_size_once()
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


def _student_error_message() -> None:
    from streamlit.elements import exception

    exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT = STUDENT_ERROR  # read at each failure


def _check_url_values() -> None:
    from streamlit.runtime.state.query_params import parse_url_param

    from explorer.ui.url_state import usable

    state = _session_state_class()
    seed = state._seed_widget_from_url
    if getattr(seed, "checked_by_url_state", False):
        return

    def checked(self, *args, **kwargs):
        # Any arguments the wrapped method takes pass through; only unusable values stop here.
        metadata, url_value = _argument(args, kwargs, "metadata"), _argument(args, kwargs, "url_value")
        try:
            value = metadata.deserializer(parse_url_param(url_value, metadata.value_type))
            if not usable(value, metadata.deserializer(None)):
                return _drop(self, args, kwargs)
        except (ValueError, TypeError, IndexError, KeyError):
            pass  # Streamlit's own seeding drops these
        except OverflowError:
            return _drop(self, args, kwargs)
        try:
            return seed(self, *args, **kwargs)
        except OverflowError:
            return _drop(self, args, kwargs)

    checked.checked_by_url_state = True
    checked.__wrapped__ = seed
    state._seed_widget_from_url = checked


def _drop(state, args: tuple, kwargs: dict) -> bool:
    """Take the value out of the address; False: the widget was not seeded from it."""
    state._clear_url_param(_argument(args, kwargs, "user_key"))
    return False


def _argument(args: tuple, kwargs: dict, name: str):
    """One of _seed_widget_from_url's arguments, given by position or by name."""
    return kwargs[name] if name in kwargs else args[_SEED_ARGS.index(name)]


def _batch_run_events() -> None:
    from streamlit.runtime.app_session import AppSession

    if getattr(AppSession._on_scriptrunner_event, "batched_by_streamlit_fixes", False):
        return
    lock = threading.Lock()  # guards every session's queue: held for an append or a swap only

    def queued(self, *args, **kwargs) -> None:
        # Called on the script's thread: queue the event; only the first of a batch wakes the loop.
        with lock:
            pending = self.__dict__.setdefault("_streamlit_fixes_events", [])
            pending.append((args, kwargs))
            first = len(pending) == 1
        if first:
            self._call_soon_on_event_loop(lambda: deliver(self))

    def deliver(self) -> None:
        # On the event loop: every event queued so far, in the order the script sent them.
        with lock:
            batch, self._streamlit_fixes_events = self._streamlit_fixes_events, []
        for args, kwargs in batch:
            self._handle_scriptrunner_event_on_event_loop(*args, **kwargs)

    queued.batched_by_streamlit_fixes = True
    queued.__wrapped__ = AppSession._on_scriptrunner_event
    AppSession._on_scriptrunner_event = queued


MIN_CACHED_SIZE = "global.minCachedMessageSize"


class _OneOptionRead:
    """Streamlit's config module with one option's value read once (every other name and option
    goes to the module as before)."""

    def __init__(self, config, key: str):
        self._config, self._key, self._value = config, key, config.get_option(key)

    def get_option(self, key: str):
        return self._value if key == self._key else self._config.get_option(key)

    def __getattr__(self, name: str):
        return getattr(self._config, name)


def _read_cached_size_once() -> None:
    from streamlit.runtime import forward_msg_cache

    if not isinstance(forward_msg_cache.config, _OneOptionRead):
        forward_msg_cache.config = _OneOptionRead(forward_msg_cache.config, MIN_CACHED_SIZE)

"""The only part of explorer that imports Streamlit: shared widgets and cached loaders.

Importing this package also repairs links opened on a freshly started server. Streamlit
treats an app with a pages/ folder as an old-style multipage app until the first time
`st.navigation` runs: a shared link such as /convolution would then run that page file on its
own (no navigation, no page config). Every page imports explorer.ui, so the first such run
switches Streamlit to app.py's navigation and reruns once; every later run goes through app.py.

It also stops a hostile link from breaking a page: Streamlit 1.67 drops a URL value that a
bound widget cannot read (ValueError) but not one that overflows, so ?architectures_side=1e999
(int(inf)) raised an OverflowError. Such a value is now dropped like any other bad value.
"""

from __future__ import annotations


def _use_app_navigation() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without this internal: nothing to repair
        return
    if PagesManager.uses_pages_directory:
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        PagesManager.uses_pages_directory = False
        if get_script_run_ctx() is not None:
            st.rerun()


def _drop_overflowing_url_values() -> None:
    try:
        from streamlit.runtime.state.session_state import SessionState
    except ImportError:  # a Streamlit without this internal: nothing to repair
        return
    seed = getattr(SessionState, "_seed_widget_from_url", None)
    if seed is None or getattr(seed, "drops_overflow", False):
        return

    def guarded(self, metadata, user_key, widget_id, url_value):
        try:
            return seed(self, metadata, user_key, widget_id, url_value)
        except OverflowError:
            self._clear_url_param(user_key)
            return False

    guarded.drops_overflow = True
    SessionState._seed_widget_from_url = guarded


_drop_overflowing_url_values()
_use_app_navigation()

from explorer.ui import error_message  # noqa: E402  (a plain sentence instead of Streamlit's)

error_message.install()

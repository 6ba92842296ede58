"""The only part of explorer that imports Streamlit: shared widgets and cached loaders.

Importing this package also repairs links opened on a freshly started server. Streamlit
treats an app with a pages/ folder as an old-style multipage app until the first time
`st.navigation` runs: a shared link such as /convolution would then run that page file on its
own (no navigation, no page config). Every page imports explorer.ui, so the first such run
switches Streamlit to app.py's navigation and reruns once; every later run goes through app.py.

It also installs url_state's one check of every value a link gives a bound widget (a hostile
link such as ?architectures_side=1e999 or ?pooling_mode= broke pages).
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


def _check_url_values() -> None:
    from explorer.ui import url_state

    url_state.check_every_bound_setting()


_check_url_values()
_use_app_navigation()

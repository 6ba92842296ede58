"""CNN Explorer: entry point. Run with `streamlit run app.py`."""

import streamlit as st

from explorer.server import startup, switching
from explorer.ui import cached, class_warm_up, first_screen, navigation, sidebar, streamlit_fixes, url_state

streamlit_fixes.install(page=False)  # before anything else: see explorer/ui/streamlit_fixes.py
cached.memory_trimmer()  # once per server: freed memory goes back to the system
switching.share_often()  # threads take turns every 1 ms, not 5: a page run waits less for the GIL
class_warm_up.started()  # once per server: the class's first Filters view prepared in the background
# Presenter mode starts with the sidebar folded away: the projected screen is for the page
# (the switch is one click away behind the arrow at the top left).
presenting = url_state.presenting() or url_state.parse_flag(st.query_params.get(url_state.PRESENT)) is True
st.set_page_config(page_title="CNN Explorer", page_icon="🧠", layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")
url_state.begin_run()
# The menu is the sidebar's (navigation.menu): Streamlit's own list showed file names on a cold start.
page = st.navigation(navigation.build(), position="hidden")
sidebar.render()
first_screen.begin(page.url_path)  # a page's first screen is drawn before its rest arrives
try:
    page.run()
finally:  # also after st.stop() or st.rerun()
    startup.release()  # the background threads' imports wait for a fresh server's first page
url_state.drop_unknown()  # after every widget of the page is bound

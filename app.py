"""CNN Explorer: entry point. Run with `streamlit run app.py`."""

import streamlit as st

from explorer.ui import navigation, sidebar

st.set_page_config(page_title="CNN Explorer", page_icon="🧠", layout="wide")
page = st.navigation(navigation.build())
sidebar.render()
page.run()

"""Filters & feature maps: what the first layer learned, how it got there, and what every layer
makes of one picture."""

import streamlit as st

from explorer.ui import filter_views, first_screen, model_picker, streamlit_fixes

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🧩 Filters & feature maps")
st.write(
    "A convolution layer is a stack of small **filters** (kernels) learned from the data. Below: "
    "the filters themselves, how they changed epoch by epoch, and the **feature maps** they "
    "produce for one picture, layer after layer."
)

# A fragment: a change of a setting below (the picture, the model, a slider) reruns only this
# part of the page, not the sidebar and the introduction: about 30 elements fewer for the
# server to build and send per change (issue 16: the class's server is CPU-bound).
@st.fragment
def inside() -> None:
    picked = model_picker.model_picker("filters")
    if picked is None:
        st.stop()

    layer_name = filter_views.filters_section(picked)  # a fragment: the epoch redraws only the filters
    first_screen.drawn()

    st.header("2. Feature maps")
    filter_views.feature_maps(picked, layer_name)

    st.header("3. The model's layers")
    filter_views.summary_table(picked)


inside()

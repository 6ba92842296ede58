"""Convolution: slide a kernel over a real picture and see stride, padding and dilation at work."""

import streamlit as st

from explorer.ui import (
    conv_settings,
    course_sizes,
    first_screen,
    flip_note,
    image_source,
    kernel_editor,
    streamlit_fixes,
    url_state,
)

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🔲 Convolution")
st.write(
    "A **kernel** (a small grid of weights) slides over the picture. At each position the "
    "pixels under it are multiplied by the weights and added up: that sum is one pixel of the "
    "output. Move the settings and watch the formula and the output change."
)
# Presenter mode: the settings and the result come first, the picture and kernel controls below
# them, so the projected first screen shows the visual (issue #14).
presenter_first = st.container()

left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader("1. Picture")
    pic = image_source.pick("convolution")
    for note in pic.notes:
        st.caption(note)

with right:
    st.subheader("2. Kernel")
    kernel = kernel_editor.pick()

with presenter_first if url_state.presenting() else st.container():
    conv_settings.below_kernel(pic, kernel)
first_screen.drawn()
course_sizes.calculator(kernel.size)
flip_note.two_d(kernel.grid, kernel.preset)

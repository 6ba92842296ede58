"""Pooling: shrink a map by keeping the maximum (or the average, or the sum) of each window."""

import streamlit as st

from explorer.ui import (
    code_panel,
    first_screen,
    image_source,
    pooling_notes,
    pooling_settings,
    pooling_views,
    streamlit_fixes,
    url_state,
)

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🔽 Pooling")
st.write(
    "Pooling makes a map smaller: it cuts the map into windows and keeps one number per "
    "window: the **maximum**, the **average** or the **sum**. Nothing is learned; it keeps the "
    "strongest responses and makes the network care less about exactly where they are."
)


# A fragment: changing the picture or the pooling reruns only this part of the page (everything
# in it depends on them), not the sidebar and the page's introduction.
@st.fragment
def pooled() -> None:
    # Presenter mode: the result right under the title, so the projected first screen shows
    # the visual (issue #14); the controls follow.
    presenter_first = st.container()
    pooling_notes.synonyms()
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("1. Input")
        pic = image_source.pick("pooling", max_side=256)
        for note in pic.notes:
            st.caption(note)
        src = pooling_settings.source(pic)
    with right:
        st.subheader("2. Pooling")
        win = pooling_settings.window()

    x = pooling_settings.input_map(src)
    if not pooling_views.output_size(x, win):
        return
    with presenter_first if url_state.presenting() else st.container():
        pooling_views.result(src, x, win)
    first_screen.drawn()
    code_panel.pooling(pic, src.kind, src.kernel, src.relu, win.mode, win.size, win.stride, win.padding)
    pooling_views.window_view(x, win)
    pooling_views.overlap_view(x, win.mode)
    pooling_views.shift_view(x, win)
    pooling_notes.stride_one_correction(x.shape[1], x.shape[2])
    pooling_notes.equivariance_view(x, src.kernel, src.kernel_name, win.size, win.stride)


pooled()

"""Datasets: what the images look like, how many per class, how the course splits them."""

import numpy as np
import streamlit as st

from explorer.data import datasets
from explorer.pictures import render
from explorer.ui import data_widgets, plain, streamlit_fixes, url_state

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🗂️ Datasets")
st.write(
    "Every model in the app learns from one of these. Images are grayscale or RGB, scaled "
    "to [0, 1]; the split into training and test images is the course's "
    "(`train_test_split(test_size=0.2, random_state=8)`)."
)

ds = data_widgets.picker("datasets_source")
c, h, w = ds.image_shape
train, test = datasets.split(ds)

cols = st.columns(4)
cols[0].metric("Images", f"{len(ds):,}")
cols[1].metric("Classes", len(ds.classes))
cols[2].metric("Image size", f"{h}x{w}x{c}")
cols[3].metric("Train / test", f"{len(train):,} / {len(test):,}")
for note in ds.notes:
    st.caption(note)
if ds.skipped:
    with st.expander(f"{len(ds.skipped)} file(s) were left out"):
        st.text("\n".join(ds.skipped[:200]))

per_class = st.slider("Examples per class", 1, 12, 8, key="datasets_per_class", bind=url_state.BIND)
left, right = st.columns([3, 1])
with left:
    st.subheader("Examples of each class")
    picks = np.concatenate([np.flatnonzero(ds.labels == k)[:per_class] for k in range(len(ds.classes))])
    scale = render.upscale_factor(max(h, w), 64)
    st.image(render.mosaic(ds.images[picks], ncols=per_class, scale=scale),
             caption="One row per class: " + plain.md_list(ds.classes))
with right:
    st.subheader("Images per class")
    data_widgets.class_counts(ds)

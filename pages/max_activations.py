"""Maximal activations: the dataset pictures that excite one channel of a layer the most."""

import streamlit as st

from explorer.ui import first_screen, model_cache, model_picker, plain, streamlit_fixes
from explorer.ui import max_activation_views as views

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🔥 Maximal activations")
st.write(
    "What does one channel of a layer look for? Run **every** picture of the dataset through the "
    "model and keep, for each channel, the pictures where it fires the hardest. The orange box "
    "is the **receptive field** of the strongest position: the only pixels that position can see."
)
st.info("A caveat the course gives (after Szegedy et al., *Intriguing properties of neural networks*): "
        "one channel alone is not necessarily meaningful. The channels are like axes of a space; "
        "pictures that excite a random mix of channels can look just as coherent, so read these "
        "pictures as hints, not as what the channel 'means'.")

# A fragment: a change of a setting below (the picture, the model, a slider) reruns only this
# part of the page, not the sidebar and the introduction: about 30 elements fewer for the
# server to build and send per change (issue 16: the class's server is CPU-bound).
@st.fragment
def activations() -> None:
    picked = model_picker.model_picker("max_activations")
    if picked is None:
        st.stop()
    dataset = model_cache.dataset_of(picked.card)
    if dataset is None:
        st.info(f"The pictures of “{plain.md(picked.card.dataset)}” are not on this machine, so there is "
                "nothing to search. Pick a model trained on a built-in dataset.")
        st.stop()

    search = views.search(picked, dataset)
    st.subheader("One channel")
    channel = views.one_channel(picked, dataset, search)
    first_screen.drawn()
    st.subheader(f"All {search.channels} channels at a glance")
    st.caption("The best picture of each channel; click one to show its top pictures above.")
    views.overview(picked, dataset, search, channel)


activations()

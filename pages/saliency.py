"""Saliency: six Captum explanations of one prediction side by side, and their sanity check."""

import streamlit as st

from explorer.inspect import heatmaps
from explorer.ui import code_panel, first_screen, input_picker, live_camera, ood_note, plain, streamlit_fixes, url_state
from explorer.ui import saliency_views as views

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("✨ Saliency")
st.write(
    "Which pixels made the model say what it said? Each method below answers with a map over the "
    "picture, computed with [Captum](https://captum.ai). They do not agree, and some of them "
    "barely depend on the model at all: the **sanity check** at the bottom shows the same maps "
    "for a copy of the model whose weights are random."
)

# A fragment: a change of a setting below (the picture, the model, a slider) reruns only this
# part of the page, not the sidebar and the introduction: about 30 elements fewer for the
# server to build and send per change (issue 16: the class's server is CPU-bound).
@st.fragment
def explained() -> None:
    picked, inp, _, target = input_picker.explain_setup("saliency", live=live_camera.live_view)
    with ood_note.after(ood_note.placed(picked, inp)):  # the maps first: see ood_note.placed
        settings = views.settings(picked)

        st.subheader(f"Why “{plain.md(picked.classes[target])}”? The trained model")
        trained = views.maps_for(picked, inp, target, settings, False)
        views.draw(inp, settings, trained)
        first_screen.drawn()
        st.caption(f"Colours: {heatmaps.legend(settings.sign)}. Grad-CAM uses layer {settings.layer}; "
                   "it is coarse because that layer's maps are small and are upsampled to the picture.")
        code_panel.explanations(picked, inp, target, views.METHODS, settings.params, settings.layer)

    st.subheader("🧪 Sanity check: the same model with random weights")
    st.write(
        "Adebayo et al. (2018) asked: if the weights are replaced by random numbers, does the map "
        "change? A map that still looks the same cannot be showing what the model **learned**; it "
        "mostly shows the picture's edges. The number under each map is the rank correlation with "
        "the trained model's map: near 1 means it hardly depends on the learned weights."
    )
    if st.toggle("Show the sanity check", value=True, key="saliency_sanity", bind=url_state.BIND):
        views.sanity_check(picked, inp, target, settings, trained)


explained()

"""Occlusion: cover a patch, slide it over the picture, and watch the class probability drop."""

import streamlit as st

from explorer.ui import input_picker, occlusion_views, ood_note, streamlit_fixes

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("⬛ Occlusion")
st.write(
    "The bluntest explanation there is: hide part of the picture behind a patch and ask the "
    "model again. Where hiding makes the probability of the class **drop**, the model was "
    "looking. The patch slides like a convolution kernel, so the number of positions follows "
    "the same formula as on the Convolution page. (Captum's `Occlusion`, on the softmax "
    "probabilities, all positions batched.)"
)

# A fragment: a change of a setting below (the picture, the model, a slider) reruns only this
# part of the page, not the sidebar and the introduction: about 30 elements fewer for the
# server to build and send per change (issue 16: the class's server is CPU-bound).
@st.fragment
def occluded() -> None:
    picked, inp, probs, target = input_picker.explain_setup("occlusion")
    with ood_note.after(ood_note.placed(picked, inp)):  # the map first: see ood_note.placed
        patch = occlusion_views.patch(inp)
        rows, cols = occlusion_views.positions(inp, patch)
        occlusion_views.maps(picked, inp, probs, target, patch, rows, cols)


occluded()

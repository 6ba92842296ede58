"""Fooling the CNN: FGSM and PGD (captum.robust) on one picture, accuracy against epsilon over the
test split, and the defence (adversarial training) side by side."""

import numpy as np
import streamlit as st

from explorer.ui import first_screen, fooling_views, input_picker, model_picker, ood_note, streamlit_fixes

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🎭 Fooling the CNN")
st.write(
    "Change every pixel by a tiny amount, in exactly the direction that hurts the model most, and "
    "watch a confident answer flip. The direction is the sign of the loss's gradient with respect "
    "to the pixels (FGSM); PGD takes several smaller such steps. Both come from Captum's "
    "`captum.robust`. ε is how far each pixel may move, on a scale where black is 0 and white is 1."
)

picked = model_picker.model_picker("fooling")
if picked is None:
    st.stop()
inp, probs, fill = input_picker.input_beside("fooling", picked, lambda i, _: ood_note.placed(picked, i))
said = int(np.argmax(probs))
truth = inp.true_class if inp.true_class is not None else said

with ood_note.after(fill):  # the attack first: see ood_note.placed
    st.subheader("Attack this picture")
    attack = fooling_views.controls(picked, said, truth)
    result = fooling_views.outcome(picked, inp, said, attack)
    first_screen.drawn()

st.subheader("Where does the model look, before and after?")
st.caption("Saliency (|gradient| of the class it says) on both pictures: the change is invisible to "
           "us, yet the map can move.")
fooling_views.where_it_looks(picked, inp, result, said, attack)

st.subheader("How easily is the whole test split fooled?")
fooling_views.test_split(picked)

"""Neurons, layers, ReLU, dropout: the pieces the course's networks are built from."""

import streamlit as st

from explorer.ui import blocks, streamlit_fixes

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🧠 Neurons, layers, ReLU, dropout")
st.write(
    "Before convolutions: what one neuron computes, how many numbers a fully connected network "
    "learns, and three ideas AlexNet made standard: ReLU, dropout and data augmentation. "
    "Everything below is computed here, live; figures from the course are marked as quoted."
)
blocks.show()

"""Architectures: the classical CNNs as real PyTorch modules, layer by layer, and the
calculators behind their design choices."""

import streamlit as st

from explorer.ui import architecture_notes, architecture_view, calculator_views, first_screen, streamlit_fixes

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🏛️ Architectures")
st.write(
    "The networks that shaped computer vision, built here as real PyTorch modules (fresh "
    "weights, nothing downloaded). Choose one and an input size: see every layer's output "
    "shape, its parameters and its multiply-accumulates (MACs), and the picture shrink in "
    "height and width while it grows in depth."
)



# A fragment: changing the architecture or its input reruns only what depends on them (not the
# sidebar, not the calculators below, which are fragments of their own).
@st.fragment
def chosen() -> None:
    choice = architecture_view.choose()
    architecture_view.show(choice)
    first_screen.drawn()
    architecture_notes.show(choice.name, choice.side)


chosen()

st.header("Calculators")
calculator_views.show()

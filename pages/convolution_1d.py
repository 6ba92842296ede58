"""1-D convolution: slide g flipped under f, multiply, add up; the dropped ball; an echo."""

import streamlit as st

from explorer.learn import signals
from explorer.ui import flip_note, signal_views, streamlit_fixes, url_state

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("〰️ 1-D convolution")
st.write(
    "Convolution mixes two functions: flip **g**, slide it to a position **c**, multiply it "
    "with **f** point by point and add everything up. The shaded area is that sum. A CNN "
    "layer slides a short kernel the same way, in 2-D, over and over, but **without the flip** "
    "(see the example below)."
)
st.latex(r"(f * g)(c) = \sum_{t} f(t)\, g(c - t)\;\Delta t")



# A fragment: choosing another example reruns only the example (not the sidebar, not the note
# on flipping below, which does not depend on it).
@st.fragment
def example() -> None:
    preset = st.segmented_control("Example", signals.PRESETS, default=signals.PRESETS[0],
                                  required=True, key="convolution_1d_preset", bind=url_state.BIND)
    if preset == "echo":
        signal_views.echo_view()
    else:
        signal_views.sliding_view(signal_views.pair_for(preset), signal_views.shift_key(preset), preset)


example()

st.subheader("Convolution in a CNN: no flip")
flip_note.one_d()

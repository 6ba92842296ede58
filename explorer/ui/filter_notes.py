"""Filters page: 'the first layers act as edge detectors' (the course), measured on the chosen
model's first layer, before and after training."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.inspect import edges


def edge_detectors(trained: np.ndarray, initial: np.ndarray | None) -> None:
    """trained / initial: (out, in, k, k) first-layer weights."""
    after = edges.score(trained)
    n = len(after.cosine)
    text = (f"**Edge detectors?** The course says the first layers tend to act as edge detectors. "
            f"Measured on this model: **{after.count} of {n}** first-layer filters match an oriented "
            f"edge (a brightness ramp, cosine similarity ≥ {edges.THRESHOLD}) after training")
    if initial is not None and initial.shape == trained.shape:
        before = edges.score(initial)
        text += f", against **{before.count} of {n}** with the random weights it started from."
        verdict = ("Training made more of them edge-like." if after.count > before.count else
                   "Training did not make more of them edge-like on this model: the claim does not show here.")
        text += " " + verdict
    else:
        text += " (no snapshot of the untrained weights to compare with)."
    st.markdown(text)
    if after.count:
        angles = ", ".join(f"{a:.0f}°" for a in after.angle[after.edge_like][:12])
        st.caption(f"Directions in which the edge-like filters see brightness rise: {angles} "
                   "(0° = to the right, 90° = downwards).")

"""'Convolution or cross-correlation?': the note both convolution pages show, with one
worked example computed by explorer.learn.flip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from explorer.learn import flip
from explorer.ui import tables


def _nums(a: np.ndarray) -> str:
    return ", ".join(f"{v:g}" for v in np.asarray(a).ravel())


def one_d() -> None:
    e = flip.example_1d()
    st.markdown(
        "**A CNN layer does not flip its kernel.** What deep-learning libraries call convolution "
        "is *cross-correlation*: the kernel slides as it is. Because the kernel is learned, this "
        "costs nothing: the network simply learns the flipped kernel. One example, f = "
        f"[{_nums(e.x)}] and g = [{_nums(e.kernel)}]:")
    tables.show(pd.DataFrame({
        "what": ["convolution (g flipped, the formula above)", "cross-correlation (g as is)",
                 "PyTorch's conv1d (what a CNN layer computes)"],
        "result": [_nums(e.convolution), _nums(e.correlation), _nums(e.torch_layer)],
    }), key="convolution_1d_flip_table")
    sign = (" The flipped kernel gives the same numbers with the opposite sign here, because g "
            "reversed is −g." if np.allclose(e.convolution, -e.correlation) else "")
    st.caption("PyTorch's layer gives "
               + ("the cross-correlation" if e.layer_is_correlation else "something else") + "." + sign)


TWO_D_LABEL = "Convolution or cross-correlation? (what a CNN layer really computes)"
TWO_D_KEY = "convolution_flip_note"  # the expander's widget key (open or not)


def two_d(kernel: np.ndarray, name: str) -> None:
    """The 2-D page's expander: this page's kernel on a small ramp picture, computed and sent only
    while it is open (like "Show the code"): closed, a run sends the expander alone instead of 13
    elements and does not need PyTorch, so a fresh server's first Convolution run ends without
    `import torch`."""
    with st.expander(TWO_D_LABEL, expanded=False, key=TWO_D_KEY, on_change="rerun") as box:
        if box.open:
            _two_d(kernel, name)


def _two_d(kernel: np.ndarray, name: str) -> None:
    k = np.asarray(kernel, float)
    m = k.shape[0]
    ramp = np.add.outer(np.arange(m + 2), 2 * np.arange(m + 2)).astype(float)  # rises down and to the right
    e = flip.example_2d(ramp, k)
    same = np.allclose(e.convolution, e.correlation)
    st.markdown(
        "**Convolution or cross-correlation?** This page, like every CNN layer (PyTorch's "
        "`Conv2d`, Keras's `Conv2D`), multiplies the kernel **as it is**, without flipping it: "
        "mathematicians call that cross-correlation; a convolution would first turn the kernel "
        "by 180°. " + ("For this kernel both give the same numbers (it is symmetric under the turn)."
                       if same else "For this kernel the two differ:"))
    cols = st.columns(3)
    for col, title, grid in zip(cols, ("cross-correlation (this page, a CNN layer)",
                                       "convolution (kernel turned 180°)", "PyTorch's conv2d"),
                                (e.correlation, e.convolution, e.torch_layer)):
        col.caption(title)
        with col:
            tables.show(pd.DataFrame(grid).round(2))
    st.caption(f"The picture is a {m + 2}x{m + 2} ramp (pixel = row + 2 x column); the kernel is "
               f"this page's {name} ({m}x{m}). PyTorch's numbers equal the "
               + ("cross-correlation." if e.layer_is_correlation else "convolution."))

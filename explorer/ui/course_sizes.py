"""Convolution page, 'Sizes only': set any input size, kernel, stride and padding, or one of
the course's worked examples, and see the formula reproduce (or not) what the course states."""

from __future__ import annotations

import streamlit as st

from explorer.learn import worked_sizes
from explorer.ui import url_state

KEYS = ("side", "channels", "kernel", "stride", "padding")


def _load(example: worked_sizes.Example) -> None:
    for k in KEYS:
        st.session_state[f"convolution_calc_{k}"] = getattr(example, k)
    st.session_state["convolution_calc_example"] = example.key


def _custom() -> None:
    st.session_state["convolution_calc_example"] = None


@st.fragment
def calculator(page_kernel: int) -> None:
    st.subheader("6. Sizes only: the course's worked examples")
    st.caption("No picture needed: type any input size (the picture above is fixed) or load one of "
               "the course's examples.")
    # One row that wraps, each button as wide as its label: five equal columns cut the longer
    # labels off ("32x32x3, 5x5x3 filters, …", issue #14).
    row = st.container(horizontal=True, gap="small")
    for ex in worked_sizes.EXAMPLES:
        row.button(ex.label, key=f"convolution_calc_{ex.key}", on_click=_load, args=(ex,), width="content")
    c = st.columns(5)
    side = c[0].number_input("Input size", 1, 4096, 30, key="convolution_calc_side", on_change=_custom,
                             bind=url_state.BIND)
    channels = c[1].number_input("Channels", 1, 512, 1, key="convolution_calc_channels", on_change=_custom,
                                 bind=url_state.BIND)
    kernel = c[2].number_input("Kernel K", 1, 64, 3, key="convolution_calc_kernel", on_change=_custom,
                               bind=url_state.BIND)
    stride = c[3].number_input("Stride S", 1, 64, 3, key="convolution_calc_stride", on_change=_custom,
                               bind=url_state.BIND)
    padding = c[4].number_input("Padding P", 0, 64, 0, key="convolution_calc_padding", on_change=_custom,
                                bind=url_state.BIND)
    ax = worked_sizes.axis(int(side), int(kernel), int(stride), int(padding))
    st.latex(worked_sizes.course_latex(ax))
    if ax.error:
        st.warning(ax.error)
    else:
        st.markdown(f"Input **{side}x{side}x{channels}** → output **{ax.size}x{ax.size}** per filter "
                    f"(each filter is {kernel}x{kernel}x{channels}: it reads all {channels} channel(s) "
                    "and gives one map).")
        if ax.note():
            st.info(ax.note())
    chosen = next((e for e in worked_sizes.EXAMPLES if e.key == st.session_state.get("convolution_calc_example")), None)
    if chosen is not None:
        st.caption(f"The course states: **{chosen.course_says}** for {chosen.label} (quoted from the course, "
                   "section 1.3).")
    same = worked_sizes.same_padding(int(page_kernel))
    st.markdown(f"**'Same' padding** with this page's kernel (K = {page_kernel}):")
    st.latex(same.latex())
    st.caption(same.sentence())

"""The Architectures page's calculators, each a fragment (a change reruns only its own tab):
dense layer vs convolution, Inception's 1x1 bottleneck, the receptive field of a stack."""

import pandas as pd
import streamlit as st

from explorer.learn import calculator_charts, calculators
from explorer.ui import shared_charts, tables, url_state


@st.fragment
def dense_vs_conv() -> None:
    c = st.columns(6)
    h = c[0].number_input("Height", 1, 2048, 64, key="architectures_dvc_h", bind=url_state.BIND)
    w = c[1].number_input("Width", 1, 2048, 64, key="architectures_dvc_w", bind=url_state.BIND)
    ch = c[2].number_input("Channels", 1, 2048, 1, key="architectures_dvc_c", bind=url_state.BIND)
    units = c[3].number_input("Dense units", 1, 100_000, 512, key="architectures_dvc_units", bind=url_state.BIND)
    filters = c[4].number_input("Filters", 1, 4096, 32, key="architectures_dvc_filters", bind=url_state.BIND)
    k = c[5].number_input("Kernel size", 1, 31, 3, key="architectures_dvc_kernel", bind=url_state.BIND)
    r = calculators.dense_vs_conv(int(h), int(w), int(ch), int(units), int(filters), int(k))
    st.vega_lite_chart(shared_charts.spec(  # built once per class
        ("dense_vs_conv", r, units, filters, k, url_state.presenting()),
        lambda: url_state.readable(calculator_charts.dense_vs_conv(r, f"dense, {units} units",
                                                                   f"conv, {filters} filters {k}x{k}"))),
        width="stretch")
    st.markdown(
        f"A dense layer connects all {h * w * ch:,} input numbers to each of its {units:,} "
        f"units: **{r.dense_params:,}** parameters. {filters} filters of {k}x{k}x{ch} need "
        f"**{r.conv_params:,}**, {r.ratio:,.0f} times fewer, and the same number for any "
        f"picture size, because every filter slides over the whole picture "
        f"(output {r.conv_out[1]}x{r.conv_out[2]}x{r.conv_out[0]}, {r.conv_macs:,} MACs).")


@st.fragment
def bottleneck() -> None:
    c = st.columns(5)
    size = c[0].number_input("Map size", 1, 512, 28, key="architectures_bn_size", bind=url_state.BIND)
    ch = c[1].number_input("Input channels", 1, 4096, 192, key="architectures_bn_channels", bind=url_state.BIND)
    k = c[2].number_input("Kernel size", 1, 11, 5, key="architectures_bn_kernel", bind=url_state.BIND)
    filters = c[3].number_input("Filters", 1, 4096, 32, key="architectures_bn_filters", bind=url_state.BIND)
    reduce = c[4].number_input("1x1 reduction to", 1, 4096, 16, key="architectures_bn_reduce", bind=url_state.BIND)
    b = calculators.bottleneck(int(size), int(size), int(ch), int(k), int(filters), int(reduce))
    st.vega_lite_chart(shared_charts.spec(("bottleneck", b, int(k), int(reduce), url_state.presenting()),
                                          lambda: url_state.readable(calculator_charts.bottleneck(b, int(k), int(reduce)))),
                       width="stretch")
    m = st.columns(3)
    m[0].metric(f"{k}x{k} directly", f"{b.direct / 1e6:,.1f} M", help=f"{b.direct:,} multiplications")
    m[1].metric(f"With the 1x1 to {reduce}", f"{b.with_reduction / 1e6:,.1f} M",
                help=f"{b.reduce_step:,} + {b.conv_step:,}")
    m[2].metric("Fewer multiplications", f"{b.saving:,.1f}x")
    st.caption(f"Directly: {size}x{size} positions x {filters} filters x {k}x{k}x{ch} products. "
               f"With the bottleneck a 1x1 convolution first squeezes {ch} channels to {reduce} "
               f"({size}x{size}x{reduce}x{ch}), then the {k}x{k} reads only {reduce} "
               f"({size}x{size}x{filters}x{k}x{k}x{reduce}). Parameters: "
               f"{b.direct_params:,} vs {b.bottleneck_params:,} weights.")


@st.fragment
def receptive_field() -> None:
    preset = st.segmented_control("Start from", list(calculators.FIELD_PRESETS), default="two 3x3", required=True,
                                  key="architectures_rf_preset", bind=url_state.BIND)
    table = pd.DataFrame(calculators.FIELD_PRESETS[preset], columns=["kernel", "stride", "dilation"])
    edited = st.data_editor(
        table, num_rows="dynamic", hide_index=True, key=f"architectures_rf_layers_{preset}",
        column_config={col: st.column_config.NumberColumn(col, min_value=1, max_value=64, step=1, required=True)
                       for col in table.columns})
    layers = [calculators.Layer1D(int(k), int(s), int(d)) for k, s, d in edited.dropna().itertuples(index=False)]
    if not layers:
        st.info("Add a layer to see its receptive field.")
        return
    rows = calculators.receptive_field(layers)
    rf = rows[-1].rf
    st.metric("One unit of the last layer sees", f"{rf}x{rf} input pixels")
    tables.show(pd.DataFrame([{"after layer": r.layer, "kernel": r.kernel, "stride": r.stride,
                                "dilation": r.dilation, "receptive field": r.rf,
                                "input pixels between neighbours": r.jump} for r in rows]))
    # Built once per class for each stack of layers (an Altair chart costs ~20 ms to validate).
    chart = shared_charts.spec(("receptive_field", tuple(layers), url_state.presenting()),
                               lambda: _field_chart(layers))
    if chart is None:
        st.caption("The field is too wide to draw pixel by pixel; the table has the numbers.")
    else:
        st.vega_lite_chart(chart, width="stretch")
    st.caption("Each layer adds (kernel − 1) x dilation steps, and a step is as many input "
               "pixels as all the strides before it multiply to. Two 3x3 see as far as one "
               "5x5 with fewer weights (2x9 = 18 vs 25); three see as far as a 7x7 (27 vs 49).")


def _field_chart(layers: list[calculators.Layer1D]) -> dict | None:
    chart = calculator_charts.receptive_field_grid(layers)
    return None if chart is None else url_state.readable(chart)


def show() -> None:
    """The three calculators in tabs."""
    dense_tab, bottleneck_tab, field_tab = st.tabs(
        ["Dense vs convolution", "Inception 1x1 bottleneck", "Receptive field"])
    with dense_tab:
        dense_vs_conv()
    with bottleneck_tab:
        bottleneck()
    with field_tab:
        receptive_field()

"""Altair charts for the architecture calculators."""

from __future__ import annotations

import altair as alt
import pandas as pd

from explorer.learn.calculators import (
    Bottleneck,
    DenseVsConv,
    Layer1D,
    receptive_field,
    seen_pixels,
)


def dense_vs_conv(r: DenseVsConv, dense_label: str, conv_label: str) -> alt.Chart:
    """Parameters of both layers on a LINEAR scale, so 6,555 times fewer looks like it: the
    convolution's bar is a sliver. (A log scale drew 2,097,664 against 320 as bars 2.5 times
    apart, issue #14.) The ratio is in the title; labels stay inside the chart."""
    frame = pd.DataFrame({
        "layer": [dense_label, conv_label],
        "parameters": [r.dense_params, r.conv_params],
        "text": [f"{r.dense_params:,}", f"{r.conv_params:,}"],
    })
    top = max(r.dense_params, r.conv_params)
    x = alt.X("parameters:Q", scale=alt.Scale(domain=[0, top * 1.25], nice=False),
              axis=alt.Axis(format="~s"), title="parameters")
    y = alt.Y("layer:N", title=None, sort=None, axis=alt.Axis(labelLimit=220))
    bars = alt.Chart(frame).mark_bar().encode(
        x=x, y=y, color=alt.Color("layer:N", legend=None, scale=alt.Scale(range=["#9467bd", "#1f77b4"])))
    labels = alt.Chart(frame).mark_text(align="left", dx=4).encode(x=x, y=y, text="text:N")
    small, big = sorted((r.dense_params, r.conv_params))
    ratio = big / max(small, 1)
    title = (f"{ratio:,.0f} times fewer parameters for the convolution" if r.conv_params < r.dense_params
             else f"the convolution needs {ratio:,.1f} times more parameters")
    return alt.layer(bars, labels, title=title).properties(height=alt.Step(40))


def bottleneck(b: Bottleneck, kernel: int, reduce: int) -> alt.Chart:
    """Millions of multiplications: the k x k directly vs a 1x1 reduction then the k x k."""
    direct, reduced = f"{kernel}x{kernel} directly", f"1x1 to {reduce}, then {kernel}x{kernel}"
    frame = pd.DataFrame({
        "way": [direct, reduced, reduced],
        "step": [f"{kernel}x{kernel} convolution", "1x1 reduction", f"{kernel}x{kernel} convolution"],
        "millions": [b.direct / 1e6, b.reduce_step / 1e6, b.conv_step / 1e6],
        "order": [1, 0, 1],
    })
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("sum(millions):Q", title="multiplications (millions)"),
        y=alt.Y("way:N", title=None, sort=[direct, reduced], axis=alt.Axis(labelLimit=260)),
        color=alt.Color("step:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(range=["#2ca02c", "#1f77b4"])),
        order="order:Q",
        tooltip=["way", "step", alt.Tooltip("millions:Q", format=",.2f")],
    )
    totals = pd.DataFrame({"way": [direct, reduced], "millions": [b.direct / 1e6, b.with_reduction / 1e6]})
    text = alt.Chart(totals).mark_text(align="left", dx=4).encode(
        x="millions:Q", y=alt.Y("way:N", sort=[direct, reduced]),
        text=alt.Text("millions:Q", format=",.1f"))
    return alt.layer(bars, text).properties(height=alt.Step(40))


def receptive_field_grid(layers: list[Layer1D], max_pixels: int = 160) -> alt.Chart | None:
    """One row per layer: the input pixels a single unit after that layer reads (filled) inside
    its receptive field (outlined). None if the field is too wide to draw cell by cell."""
    rows = receptive_field(layers)
    widest = rows[-1].rf if rows else 1
    if widest > max_pixels:
        return None
    records = []
    for n, row in enumerate(rows, start=1):
        seen = set(seen_pixels(layers[:n]))
        offset = (widest - row.rf) // 2  # centre every row on the same input pixel
        for p in range(row.rf):
            records.append({"after": f"layer {n}", "pixel": p + offset,
                            "reads": "read" if p in seen else "skipped (dilation gap)"})
    frame = pd.DataFrame(records)
    order = [f"layer {n}" for n in range(len(rows), 0, -1)]
    return alt.Chart(frame).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("pixel:O", title="input pixels", axis=alt.Axis(labels=widest <= 40)),
        y=alt.Y("after:N", sort=order, title=None),
        color=alt.Color("reads:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["read", "skipped (dilation gap)"], range=["#1f77b4", "#dddddd"])),
        tooltip=["after", "pixel", "reads"],
    ).properties(height=alt.Step(30), padding={"left": 10, "top": 5, "right": 5, "bottom": 5})  # the row labels' room

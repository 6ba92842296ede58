"""Altair charts of the 1-D convolution page: the sliding view, the running result, sounds."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from explorer.learn.signals import Pair, Slide, envelope

COLOURS = {"f": "#1f77b4", "g flipped, moved to c": "#ff7f0e", "product": "#2ca02c"}


def _domain(values: np.ndarray, pad: float = 0.08) -> list[float]:
    lo, hi = float(min(values.min(), 0.0)), float(values.max())
    span = (hi - lo) or 1.0
    return [lo, hi + pad * span]


def sliding(pair: Pair, s: Slide, height: int = 340) -> alt.Chart:
    """f, g(c - t) and their product (shaded): the area of the product is (f * g)(c)."""
    names = {"f": pair.f_label, "g flipped, moved to c": f"{pair.g_label}, flipped and moved to c",
             "product": "product f(t)·g(c−t)"}
    frame = pd.DataFrame({
        "t": np.tile(pair.x, 3),
        "value": np.concatenate([pair.f, s.g_moved, s.product]),
        "curve": np.repeat([names[k] for k in COLOURS], len(pair.x)),
    })
    colour = alt.Color("curve:N", title=None, sort=list(names.values()),
                       scale=alt.Scale(domain=list(names.values()), range=list(COLOURS.values())),
                       legend=alt.Legend(orient="top", labelLimit=400))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(domain=_domain(np.concatenate([pair.f, pair.g]))))
    x = alt.X("t:Q", title=pair.x_label, scale=alt.Scale(domain=[float(pair.x[0]), float(pair.x[-1])]))
    base = alt.Chart(frame)
    if pair.discrete:
        chart = base.mark_bar(opacity=0.7).encode(
            x=alt.X("t:O", title=pair.x_label), y=y, color=colour,
            xOffset=alt.XOffset("curve:N", sort=list(names.values())))
    else:
        lines = base.transform_filter(alt.datum.curve != names["product"]).mark_line(strokeWidth=2.5)
        area = base.transform_filter(alt.datum.curve == names["product"]).mark_area(opacity=0.45)
        chart = alt.layer(area.encode(x=x, y=y, color=colour), lines.encode(x=x, y=y, color=colour))
    return chart.properties(height=height, title=f"c = {s.c:g}")


def running(pair: Pair, result: np.ndarray, k: int, height: int = 240) -> alt.Chart:
    """(f * g)(c) drawn point by point up to the current c, the rest faint."""
    c = pair.out_x
    frame = pd.DataFrame({"c": c, "value": result, "drawn": np.arange(len(c)) <= k})
    y = alt.Y("value:Q", title="(f * g)(c)", scale=alt.Scale(domain=_domain(result)))
    x = alt.X("c:Q", title="c", scale=alt.Scale(domain=[float(c[0]), float(c[-1])]))
    ghost = alt.Chart(frame).mark_line(color="#bbbbbb", strokeDash=[4, 4]).encode(x=x, y=y)
    if pair.discrete:
        drawn = alt.Chart(frame[frame.drawn]).mark_bar(color="#d62728", size=8).encode(x=x, y=y)
    else:
        drawn = alt.Chart(frame[frame.drawn]).mark_line(color="#d62728", strokeWidth=3).encode(x=x, y=y)
    now = alt.Chart(frame.iloc[[k]]).mark_point(color="#d62728", size=90, filled=True).encode(
        x=x, y=y, tooltip=[alt.Tooltip("c:Q", format=".3g"), alt.Tooltip("value:Q", format=".4f")])
    return alt.layer(ghost, drawn, now).properties(height=height)


def waveform(signal: np.ndarray, sample_rate: int, title: str, colour: str = "#1f77b4",
             height: int = 230, seconds: float | None = None) -> alt.Chart:
    """The sound's envelope over time (min/max per pixel column, so no peak is lost)."""
    lo, hi = envelope(signal)
    t = np.linspace(0, len(signal) / sample_rate, len(lo))
    frame = pd.DataFrame({"seconds": t, "low": lo, "high": hi})
    end = seconds or len(signal) / sample_rate
    return alt.Chart(frame).mark_area(color=colour, opacity=0.8).encode(
        x=alt.X("seconds:Q", title="time (s)", scale=alt.Scale(domain=[0, end])),
        y=alt.Y("low:Q", title=None), y2="high:Q",
    ).properties(height=height, title=title)


def spikes(kernel: np.ndarray, sample_rate: int, height: int = 210, seconds: float | None = None) -> alt.Chart:
    """The echo kernel: a spike per non-zero tap."""
    taps = np.flatnonzero(kernel)
    frame = pd.DataFrame({"seconds": taps / sample_rate, "value": kernel[taps]})
    end = seconds or len(kernel) / sample_rate
    x = alt.X("seconds:Q", title="time (s)", scale=alt.Scale(domain=[0, end]))
    rules = alt.Chart(frame).mark_rule(color="#ff7f0e", strokeWidth=3).encode(x=x, y=alt.Y("value:Q", title=None), y2=alt.datum(0))
    heads = alt.Chart(frame).mark_point(color="#ff7f0e", filled=True, size=80).encode(x=x, y="value:Q")
    return alt.layer(rules, heads).properties(height=height, title="Kernel: two spikes (now, and the echo)")

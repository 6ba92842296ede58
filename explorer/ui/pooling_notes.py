"""Pooling page, the course's claims checked: the layer's other names, how many windows read
each pixel when windows overlap (with AlexNet's quoted gain), and what a 5x5 pooling with
stride 1 really does to the size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from explorer.inspect.shared_results import fingerprint
from explorer.learn import course_charts, coverage, geometry, shift
from explorer.learn import equivariance as equivariance_math
from explorer.pictures import colormaps, png
from explorer.ui import cached, pooling_settings, shared_charts, tables, url_state

SMALL = 9  # side of the small map the window counts are drawn on


def synonyms() -> None:
    st.caption("Other names for the same layer in the course and elsewhere: **downsampling** and "
               "**subsampling** (LeNet-5's S-layers); max pooling is the usual kind.")


def windows_per_pixel(height: int, width: int) -> None:
    """Count maps for 2x2/2 and 3x3/2 on a small map, and the counts on the page's own map."""
    st.markdown("**How many windows read each pixel?** Counted on a small "
                f"{SMALL}x{SMALL} map (the numbers in the cells):")
    cols = st.columns(2)
    px = url_state.cell(course_charts.COUNT_CELL)
    for col, (k, s) in zip(cols, ((2, 2), (3, 2))):
        c = coverage.coverage(SMALL, SMALL, k, s)
        shared_charts.draw(col, ("pooling_coverage", SMALL, k, s, px),  # the same for every student
                           lambda c=c, k=k, s=s, px=px: url_state.readable(
                               course_charts.count_map(c.counts, f"{k}x{k}, stride {s}", cell=px)),
                           width="content", key=f"pooling_coverage_{k}")
        col.caption(f"{k}x{k}, stride {s}: {c.sentence()}")
    big = cached.shared_results().get(("pooling_coverage", height, width, 3, 2),
                                      lambda: coverage.coverage(height, width, 3, 2))
    st.caption(f"So overlapping windows do **not** read every pixel twice: along each axis a pixel "
               f"is read by one or two windows, so in 2-D by 1, 2 or 4 (and by none after the last "
               f"window when the size does not fit). On this page's {height}x{width} map, 3x3 "
               f"stride 2: {big.sentence()}")
    st.info("AlexNet's authors report that overlapping 3x3 / stride 2 pooling, compared with 2x2 / "
            "stride 2 (same output size), lowered the top-1 error by 0.4% and the top-5 error by "
            "0.3% and made the network slightly harder to overfit (*quoted from the course, section "
            "2.1.2*; not measured here).")


def stride_one_correction(height: int, width: int) -> None:
    """The course says a 5x5 pooling with stride 1 turns 25 pixels into one: with stride 1 the
    windows overlap and the map barely shrinks; it is stride 5 that divides by 25."""
    st.subheader("8. A 5x5 pooling with stride 1 hardly shrinks anything")
    try:
        one = (geometry.output_size(height, 5, 1), geometry.output_size(width, 5, 1))
        five = (geometry.output_size(height, 5, 5), geometry.output_size(width, 5, 5))
    except ValueError as exc:
        st.caption(f"This map is too small for a 5x5 window: {exc}")
        return
    n = height * width
    fewer = n / (five[0] * five[1])
    rows, cols = height - 5 * five[0], width - 5 * five[1]
    why = ("close to 25" if abs(fewer - 25) <= 2.5 else  # a small map: its last rows and columns fit no window
           f"more than 25 because the last {rows} rows and {cols} columns fit no whole window and are "
           "dropped (a map whose sides are multiples of 5 gives exactly 25)")
    st.markdown(
        f"The course describes a 5x5 max pooling **with stride 1** as reducing each 5x5 region to one "
        f"pixel, 25 values to 1. Each window does give one value, but with stride 1 the windows "
        f"overlap and move one pixel at a time: this {height}x{width} map becomes "
        f"**{one[0]}x{one[1]}** ({n / (one[0] * one[1]):.2f} times fewer values). Only **stride 5** "
        f"(windows side by side) gives {five[0]}x{five[1]}, {fewer:.1f} times fewer, {why}.")


@dataclass(frozen=True)
class Equivariance:
    """Section 9's results for one map, kernel, shift and pooling: the two maps as PNG bytes,
    their largest difference, the rotation rows and a 1-pixel shift's change of the pooled map."""
    conv_then_shift: bytes
    shift_then_conv: bytes
    difference: float
    rotations: tuple
    one_px_pooled: float


ANGLES = (2, 5, 10, 20, 45, 90)


def equivariance(x, kernel, k: int, mode_size: int, mode_stride: int) -> Equivariance:
    """Computed once for the class (the same picture and settings give the same numbers): about
    a second of CPU per student on the 2-core classroom server before."""
    def compute() -> Equivariance:
        gray = np.asarray(x, np.float64).mean(axis=0)
        check = equivariance_math.shift_equivariance(gray, kernel, k)
        rows = equivariance_math.rotation(gray, kernel, list(ANGLES), mode_size, mode_stride)
        one_px = shift.measure(gray[None], 1, mode_size, mode_stride, "max")[0]
        return Equivariance(png.encode(colormaps.auto(check.conv_then_shift)),
                            png.encode(colormaps.auto(check.shift_then_conv)), float(check.difference),
                            tuple(rows), float(one_px.pooled))

    key = ("pooling_equivariance", pooling_settings.map_key(x), fingerprint(kernel), int(k), int(mode_size), int(mode_stride))
    return cached.shared_results().get(key, compute)


def equivariance_view(x, kernel, kname: str, mode_size: int, mode_stride: int) -> None:
    """Section 9: shift the input, the convolution's map shifts by the same amount; rotate it,
    and neither map stays the same (the course's 'rotational invariance', measured)."""
    st.subheader("9. Equivariance, and the 'rotational invariance' claim")
    widest = min(16, equivariance_math.widest_shift(x.shape[-1], kernel.shape[-1]))
    if widest < 1:  # a shift would push the whole map out of the comparison
        st.info(f"This picture is {x.shape[-1]} pixels wide: too narrow to shift it and still compare "
                f"the two maps with a {kernel.shape[-1]}x{kernel.shape[-1]} kernel. Pick a bigger "
                "picture (or a smaller kernel on the Convolution page) to see this section.")
        return
    if widest == 1:  # a slider needs two values
        k = 1
        st.caption("Shifted right by 1 pixel: the only shift this narrow picture leaves room for.")
    else:
        if st.session_state.get("pooling_equi_shift", 0) > widest:  # kept from a wider picture
            st.session_state["pooling_equi_shift"] = widest
        k = st.slider("Shift the picture right by (pixels)", 1, widest, min(5, widest), key="pooling_equi_shift")
    eq = equivariance(x, kernel, k, mode_size, mode_stride)
    cols = st.columns(2)
    cols[0].image(eq.conv_then_shift, width="stretch", output_format="PNG",
                  caption=f"conv, then shift by {k}: the map moved")
    cols[1].image(eq.shift_then_conv, width="stretch", output_format="PNG",
                  caption=f"shift by {k}, then conv")
    st.markdown(f"**f(g(x)) = g(f(x))**: with f = convolution with {kname} and g = a shift by {k} pixels, "
                f"the two maps differ by at most **{eq.difference:.2g}** (away from the border "
                "the shift brings in): convolution is *equivariant* to shifts — the map moves exactly "
                "as the picture does. Pooling then makes small shifts matter less (section 7).")
    rows = eq.rotations
    which = ("pooling_rotation", pooling_settings.map_key(x), fingerprint(kernel), int(k), int(mode_size), int(mode_stride))
    tables.show(shared_charts.table(which, lambda: pd.DataFrame([{
        "rotation": f"{r.degrees:g}°", "feature map changes by": f"{r.raw:.0%}",
        f"max pooled ({mode_size}x{mode_size}/{mode_stride}) changes by": f"{r.pooled:.0%}"} for r in rows])), key="pooling_rotation_table")
    st.caption(f"The course says pooling gives 'rotational/positional invariance'. Measured here: a "
               f"rotation of {rows[1].degrees:g}° changes the pooled map by {rows[1].pooled:.0%}, while a "
               f"1-pixel shift changes it by {eq.one_px_pooled:.0%}. Pooling forgives small *shifts* within a "
               "window; it does not make a network rotation-invariant. Networks learn rotations from "
               "rotated examples (augmentation) instead.")

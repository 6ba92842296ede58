"""Pooling page, the course's claims checked: the layer's other names, how many windows read
each pixel when windows overlap (with AlexNet's quoted gain), and what a 5x5 pooling with
stride 1 really does to the size."""

from __future__ import annotations

import streamlit as st

from explorer.learn import course_charts, coverage, geometry

SMALL = 9  # side of the small map the window counts are drawn on


def synonyms() -> None:
    st.caption("Other names for the same layer in the course and elsewhere: **downsampling** and "
               "**subsampling** (LeNet-5's S-layers); max pooling is the usual kind.")


def windows_per_pixel(height: int, width: int) -> None:
    """Count maps for 2x2/2 and 3x3/2 on a small map, and the counts on the page's own map."""
    st.markdown("**How many windows read each pixel?** Counted on a small "
                f"{SMALL}x{SMALL} map (the numbers in the cells):")
    cols = st.columns(2)
    for col, (k, s) in zip(cols, ((2, 2), (3, 2))):
        c = coverage.coverage(SMALL, SMALL, k, s)
        col.vega_lite_chart(spec=course_charts.count_map(c.counts, f"{k}x{k}, stride {s}"), width="content",
                            key=f"pooling_coverage_{k}")
        col.caption(f"{k}x{k}, stride {s}: {c.sentence()}")
    big = coverage.coverage(height, width, 3, 2)
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
    st.markdown(
        f"The course describes a 5x5 max pooling **with stride 1** as reducing each 5x5 region to one "
        f"pixel, 25 values to 1. Each window does give one value, but with stride 1 the windows "
        f"overlap and move one pixel at a time: this {height}x{width} map becomes "
        f"**{one[0]}x{one[1]}** ({n / (one[0] * one[1]):.2f} times fewer values). Only **stride 5** "
        f"(windows side by side) gives {five[0]}x{five[1]}, {n / (five[0] * five[1]):.1f} times fewer, "
        f"close to 25.")


def equivariance_view(x, kernel, kname: str, mode_size: int, mode_stride: int) -> None:
    """Section 9: shift the input, the convolution's map shifts by the same amount; rotate it,
    and neither map stays the same (the course's 'rotational invariance', measured)."""
    import numpy as np
    import pandas as pd

    from explorer.learn import equivariance, shift
    from explorer.pictures import colormaps

    st.subheader("9. Equivariance, and the 'rotational invariance' claim")
    gray = np.asarray(x, np.float64).mean(axis=0)
    k = st.slider("Shift the picture right by (pixels)", 1, 16, 5, key="pooling_equi_shift")
    check = equivariance.shift_equivariance(gray, kernel, k)
    cols = st.columns(2)
    cols[0].image(colormaps.auto(check.conv_then_shift), width="stretch", output_format="PNG",
                  caption=f"conv, then shift by {k}: the map moved")
    cols[1].image(colormaps.auto(check.shift_then_conv), width="stretch", output_format="PNG",
                  caption=f"shift by {k}, then conv")
    st.markdown(f"**f(g(x)) = g(f(x))**: with f = convolution with {kname} and g = a shift by {k} pixels, "
                f"the two maps differ by at most **{check.difference:.2g}** (away from the border "
                "the shift brings in): convolution is *equivariant* to shifts — the map moves exactly "
                "as the picture does. Pooling then makes small shifts matter less (section 7).")
    angles = [2, 5, 10, 20, 45, 90]
    rows = equivariance.rotation(gray, kernel, angles, mode_size, mode_stride)
    one_px = shift.measure(gray[None], 1, mode_size, mode_stride, "max")[0]
    st.dataframe(pd.DataFrame([{"rotation": f"{r.degrees:g}°", "feature map changes by": f"{r.raw:.0%}",
                                f"max pooled ({mode_size}x{mode_size}/{mode_stride}) changes by": f"{r.pooled:.0%}"}
                               for r in rows]), hide_index=True, width="stretch", key="pooling_rotation_table")
    st.caption(f"The course says pooling gives 'rotational/positional invariance'. Measured here: a "
               f"rotation of {rows[1].degrees:g}° changes the pooled map by {rows[1].pooled:.0%}, while a "
               f"1-pixel shift changes it by {one_px.pooled:.0%}. Pooling forgives small *shifts* within a "
               "window; it does not make a network rotation-invariant. Networks learn rotations from "
               "rotated examples (augmentation) instead.")

"""The Convolution page's result (input and output side by side, the receptive field of one
output pixel) and two closer views: the three colour channels' maps, several filters at once.

Pictures go to the browser as encoded bytes (explorer.learn.conv_pictures); a 512x512 map as a
chart would be 260k marks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.inspect.shared_results import fingerprint
from explorer.learn import conv_pictures, convolution, formula, geometry, kernels
from explorer.pictures import colormaps
from explorer.ui import learn_cache, live_map, url_state
from explorer.ui.image_source import Picture


@dataclass(frozen=True, eq=False)
class Setup:
    """Everything one convolution needs: the picture (C, H, W), the 2-D kernel, the settings
    and the formula of each axis (None when the settings are impossible)."""

    pic: Picture
    kernel: np.ndarray
    stride: int
    padding: int | str
    dilation: int
    relu: bool
    ax_h: formula.Axis | None
    ax_w: formula.Axis | None

    @property
    def valid(self) -> bool:
        """Whether the output has at least one pixel in each direction."""
        return self.ax_h is not None and not (self.ax_h.error or self.ax_w.error)

    @property
    def args(self) -> tuple:
        """(key, array, kernel, stride, padding, dilation) for learn_cache."""
        return self.pic.key, self.pic.array, self.kernel, self.stride, self.padding, self.dilation


def clamp(key: str, top: int) -> None:
    """Start a slider in the middle and keep its value inside a range that just shrank."""
    st.session_state.setdefault(key, top // 2)
    st.session_state[key] = min(st.session_state[key], top)


COLOURS = {"auto": "signed, scaled to its largest value", "fixed": "signed, fixed scale ±4",
           "picture": "as a picture"}
COLOURS_HELP = ("Scaled: the strongest value is always full colour, so doubling a kernel looks the "
                "same. Fixed: the same scale for every kernel, so a doubled kernel looks twice as "
                "strong. As a picture: a sharpened or embossed photo looks like a photo.")
FIXED_SCALE = 4.0  # Sobel's largest response on a [0, 1] picture


@st.fragment
def result(c: Setup, by_size: dict[int, np.ndarray]) -> None:
    """Input and output side by side; the receptive field of a chosen output pixel outlined.
    A fragment of its own: the receptive-field sliders redraw only this part. by_size: the
    kernel of each size, for the output that follows a dragged slider (live_map)."""
    raw = learn_cache.output(*c.args)
    out = convolution.relu(raw) if c.relu else raw
    ho, wo = out.shape
    height, width = c.pic.array.shape[1:]
    st.subheader("4. Result")
    # Presenter mode: the pictures right under the heading and their options below them, so the
    # projected first screen shows the visual (issue #14); alone, the options come first.
    first, second = st.container(), st.container()
    options, pictures = (second, first) if url_state.presenting() else (first, second)
    with options.expander("🎯 Receptive field: which input pixels made one output pixel?", expanded=False):
        clamp("convolution_rf_row", ho - 1)
        clamp("convolution_rf_col", wo - 1)
        c1, c2 = st.columns(2)
        i = c1.slider("Output row", 0, max(ho - 1, 1), key="convolution_rf_row", disabled=ho == 1)
        j = c2.slider("Output column", 0, max(wo - 1, 1), key="convolution_rf_col", disabled=wo == 1)
        (r0, r1), (q0, q1) = geometry.receptive_field(i, j, c.kernel.shape, c.stride,
                                                 (c.ax_h.before, c.ax_w.before), c.dilation)
        st.caption(f"Output ({i}, {j}) = {out[i, j]:.4g} comes from input rows {formula.between(r0, r1)} and columns "
                   f"{formula.between(q0, q1)} (yellow box; negative numbers or numbers past the edge are padding zeros).")
    dropped = (c.ax_h.dropped_input, c.ax_w.dropped_input)
    pads = ((c.ax_h.before, c.ax_h.after), (c.ax_w.before, c.ax_w.after))
    colours = options.radio("Colours of the output", list(COLOURS), format_func=COLOURS.get, horizontal=True,
                            key="convolution_colours", bind=url_state.BIND, help=COLOURS_HELP)
    c1, c2 = pictures.columns(2)
    note = " (red: dropped, no window reaches it)" if any(dropped) else ""
    frame = " · black frame: the padding, zeros added around the picture" if any(any(p) for p in pads) else ""
    c1.image(conv_pictures.input_picture(learn_cache.as_uint8(c.pic.key, c.pic.array), dropped, ((r0, r1), (q0, q1)),
                                         pads), width="stretch",
             caption=f"Input {height}x{width}{note}{frame} · yellow box: the pixels behind output pixel "
                     f"({i}, {j}) (move it under 🎯 Receptive field)")
    lim = FIXED_SCALE if colours == "fixed" else None
    legend = ("drawn like a photo: 0 black, 1 white, beyond that clipped" if colours == "picture"
              else colormaps.legend(out, lim))
    with c2.container(key="convolution_output"):
        st.image(conv_pictures.map_picture(out, (i, j), lim, as_picture=colours == "picture"), width="stretch",
                 caption=f"Output {ho}x{wo}" + (" after ReLU" if c.relu else "") + ": " + legend)
        settings = (c.kernel.shape[0], c.stride, c.padding, c.dilation)
        # Packed once for the class (the picture's planes and the size table: what every student
        # on the default picture and settings is sent), not on every run.
        live_map.show_shared(
            ("conv", c.pic.key, fingerprint(*(by_size[n] for n in sorted(by_size))), tuple(sorted(by_size)),
             settings, c.relu, i, j, colours, lim),
            lambda: live_map.conv(c.pic.array, by_size, settings, c.relu, "convolution_output",
                                  style={"cell": [i, j], "colours": colours, "fixed_scale": lim}),
            key="convolution_live")
    if c.relu:
        pictures.caption(f"ReLU set {np.mean(raw < 0):.0%} of the output pixels (the negative ones) to 0.")


def channels_view(c: Setup) -> None:
    """The three colour channels convolved separately, and their sum."""
    if c.pic.array.shape[0] == 1:
        st.info("This picture has one channel. Choose **RGB** under *Colour* to see the three "
                "colour channels convolved separately and added into one map.")
        return
    maps = learn_cache.per_channel(*c.args).astype(np.float32)
    total = maps.sum(axis=0)
    lim = max(colormaps.limit(maps), colormaps.limit(total))
    st.write("An RGB picture is three grids of numbers. The kernel has one slice per channel "
             "(here the same grid three times); each channel gives a map, and **the three maps "
             "are added into one**" + (" before ReLU." if c.relu else "."))
    # The three input channels themselves first: the maps alone were three near-blank pictures.
    cols = st.columns(4)
    for col, name, ch in zip(cols, ("Red", "Green", "Blue"), c.pic.array):
        col.image(conv_pictures.map_picture(ch, lim=1.0), width="stretch", caption=f"{name} channel of the picture")
    cols[3].image(learn_cache.as_uint8(c.pic.key, c.pic.array), width="stretch", caption="The picture (all three)")
    cols = st.columns(4)
    for col, name, m in zip(cols, ("Red", "Green", "Blue"), maps):
        col.image(conv_pictures.map_picture(m, lim=lim), width="stretch", caption=f"{name} channel * kernel")
    last = convolution.relu(total) if c.relu else total
    cols[3].image(conv_pictures.map_picture(last, lim=None if c.relu else lim), width="stretch",
                  caption="Sum of the three" + (", then ReLU" if c.relu else ""))
    st.caption("Same colour scale for all three maps: " + colormaps.legend(maps, lim))


def filters_view(c: Setup, size: int, seed: int) -> None:
    """Several kernels of one size over the picture: the stack of activation maps."""
    chosen = st.multiselect(f"Filters (all of size {size})", kernels.names(),
                            default=["sobel x", "sobel y", "laplacian", "gaussian"],
                            key="convolution_bank", bind=url_state.BIND, format_func=str.capitalize)
    if not chosen:
        st.info("Choose at least one filter.")
        return
    bank = np.stack([kernels.make(n, size, int(seed)) for n in chosen])
    vol = learn_cache.filter_bank(c.pic.key, c.pic.array, bank, c.stride, c.padding, c.dilation)
    vol = convolution.relu(vol) if c.relu else vol
    f, ho, wo = vol.shape
    st.write(f"{f} filters give {f} activation maps: a volume of **{ho} x {wo} x {f}** "
             "(height x width x filters), the input of the next layer in a CNN.")
    cols = st.columns(min(f, 4))
    for k, (name, m) in enumerate(zip(chosen, vol)):
        cols[k % len(cols)].image(conv_pictures.map_picture(m), width="stretch",
                                  caption=f"{k + 1}. {name.capitalize()}: {colormaps.legend(m)}")

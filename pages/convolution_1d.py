"""1-D convolution: slide g flipped under f, multiply, add up; the dropped ball; an echo."""

import time

import numpy as np
import streamlit as st

from explorer.learn import signal_charts, signals
from explorer.ui import code_panel, flip_note, streamlit_fixes, url_state

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("〰️ 1-D convolution")
st.write(
    "Convolution mixes two functions: flip **g**, slide it to a position **c**, multiply it "
    "with **f** point by point and add everything up. The shaded area is that sum. A CNN "
    "layer slides a short kernel the same way, in 2-D, over and over, but **without the flip** "
    "(see the example below)."
)
st.latex(r"(f * g)(c) = \sum_{t} f(t)\, g(c - t)\;\Delta t")

preset = st.segmented_control("Example", signals.PRESETS, default=signals.PRESETS[0],
                              required=True, key="convolution_1d_preset", bind=url_state.BIND)


def pair_for(name: str) -> signals.Pair:
    """The chosen preset with the settings from its sliders."""
    cols = st.columns(4)
    if name == "box * box":
        f_w = cols[0].slider("Width of f", 0.2, 2.0, 1.0, 0.1, key="convolution_1d_box_f", bind=url_state.BIND)
        g_w = cols[1].slider("Width of g", 0.2, 2.0, 1.0, 0.1, key="convolution_1d_box_g", bind=url_state.BIND)
        st.caption("Two boxes of height 1. Equal widths give the course's triangle; unequal "
                   "widths give a trapezoid with a flat top as wide as their difference.")
        return signals.box_pair(f_w, g_w)
    if name == "two Gaussians":
        f_m = cols[0].slider("Mean of f", -3.0, 3.0, -1.0, 0.1, key="convolution_1d_gauss_fm", bind=url_state.BIND)
        f_s = cols[1].slider("Spread of f", 0.2, 1.5, 0.5, 0.05, key="convolution_1d_gauss_fs", bind=url_state.BIND)
        g_m = cols[2].slider("Mean of g", -3.0, 3.0, 1.5, 0.1, key="convolution_1d_gauss_gm", bind=url_state.BIND)
        g_s = cols[3].slider("Spread of g", 0.2, 1.5, 0.8, 0.05, key="convolution_1d_gauss_gs", bind=url_state.BIND)
        st.caption(f"Two bell curves give a bell curve: its mean is {f_m:g} + {g_m:g} = "
                   f"{f_m + g_m:g}, its variance {f_s:g}² + {g_s:g}² = {f_s**2 + g_s**2:.3g}.")
        return signals.gaussian_pair(f_m, f_s, g_m, g_s)
    a_m = cols[0].slider("First drop: typical distance (m)", 0.0, 8.0, 3.0, 0.5, key="convolution_1d_ball_fm",
                         bind=url_state.BIND)
    a_s = cols[1].slider("First drop: spread (m)", 0.3, 3.0, 1.0, 0.1, key="convolution_1d_ball_fs",
                         bind=url_state.BIND)
    b_m = cols[2].slider("Second drop: typical distance (m)", 0.0, 8.0, 4.0, 0.5, key="convolution_1d_ball_gm",
                         bind=url_state.BIND)
    b_s = cols[3].slider("Second drop: spread (m)", 0.3, 3.0, 1.5, 0.1, key="convolution_1d_ball_gs",
                         bind=url_state.BIND)
    st.caption("Drop a ball: it lands a metres away with probability f(a). Pick it up there and "
               "drop it again: it rolls b further with probability g(b). The chance the total "
               "is c adds up every way to get there: f(0)g(c) + f(1)g(c−1) + … = (f * g)(c).")
    return signals.ball_pair(a_m, a_s, b_m, b_s)


@st.fragment
def sliding_view(pair: signals.Pair) -> None:
    """The slider (or Play) moves c; only this part reruns."""
    result = signals.convolve(pair)
    c_values = pair.out_x
    step = pair.dx
    left, right = st.columns([4, 1])
    # Start where the result is half way up: the overlap is visible straight away.
    start = int(np.argmax(result >= 0.5 * result.max()))
    c = left.slider("Shift c", float(c_values[0]), float(c_values[-1]), float(round(c_values[start], 6)),
                    step, key="convolution_1d_shift", bind=url_state.BIND)
    play = right.button("▶ Play", key="convolution_1d_play", width="stretch",
                        help="Slide c from left to right and draw (f * g)(c) as it goes.")
    top, bottom, number = st.empty(), st.empty(), st.empty()

    def draw(k: int) -> None:
        s = signals.slide(pair, k)
        top.altair_chart(signal_charts.sliding(pair, s), width="stretch")
        bottom.altair_chart(signal_charts.running(pair, result, k), width="stretch")
        label = "P(total = c)" if pair.discrete else "(f * g)(c) = shaded area"
        number.metric(label, f"{s.value:.4f}", help=f"numpy.convolve gives {result[k]:.4f} here")

    if play:
        frames = np.unique(np.linspace(0, len(c_values) - 1, min(len(c_values), 60)).astype(int))
        for k in frames:
            draw(int(k))
            time.sleep(0.05)
    else:
        draw(int(round((c - c_values[0]) / step)))
    if pair.discrete:
        st.caption(f"Probabilities stay probabilities: f sums to {pair.f.sum():.3f}, g to "
                   f"{pair.g.sum():.3f}, f * g to {result.sum():.3f}.")
    else:
        st.caption(f"Areas multiply: area of f = {pair.f.sum() * step:.3f}, area of g = "
                   f"{pair.g.sum() * step:.3f}, area of f * g = {result.sum() * step:.3f}.")
    code_panel.convolution_1d(preset, c)


def echo_view() -> None:
    """A synthesised sound convolved with a two-spike kernel: hear the echo."""
    cols = st.columns(3)
    name = cols[0].selectbox("Sound", signals.SOUNDS, key="convolution_1d_sound", bind=url_state.BIND)
    delay = cols[1].slider("Echo delay (ms)", 50, 600, 250, 10, key="convolution_1d_delay", bind=url_state.BIND)
    gain = cols[2].slider("Echo loudness", 0.0, 1.0, 0.6, 0.05, key="convolution_1d_gain", bind=url_state.BIND)
    rate = signals.SAMPLE_RATE
    sound = signals.sound(name, rate)
    kernel = signals.echo_kernel(delay / 1000, gain, rate)
    heard = signals.with_echo(sound, kernel)
    st.write(
        "The kernel is two spikes: 1 at time 0 (the sound itself) and the loudness you chose "
        "after the delay (the sound bouncing off a wall). Convolving copies the whole sound at "
        "every spike, scaled by the spike: the original plus a quieter, later copy."
    )
    span = len(heard) / rate
    left, right = st.columns(2)
    with left:
        st.altair_chart(signal_charts.waveform(sound, rate, f"Sound: {name}", seconds=span), width="stretch")
        st.audio(sound, sample_rate=rate)
        st.altair_chart(signal_charts.spikes(kernel, rate, seconds=span), width="stretch")
    with right:
        st.altair_chart(signal_charts.waveform(heard, rate, "Sound * kernel: with the echo",
                                               colour="#2ca02c", seconds=span), width="stretch")
        # Scaled like the original so the echo is not louder than it should be.
        st.audio(heard / max(1.0, np.abs(heard).max()), sample_rate=rate)
        st.metric("Length", f"{len(sound)} + {len(kernel)} − 1 = {len(heard)} samples",
                  help="A full convolution is as long as both inputs together, minus one.")
    code_panel.convolution_1d("echo")


if preset == "echo":
    echo_view()
else:
    sliding_view(pair_for(preset))

st.subheader("Convolution in a CNN: no flip")
flip_note.one_d()

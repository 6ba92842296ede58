"""The 1-D convolution page's views: the sliding f and g with its sliders and Play, and the
echo. The page (pages/convolution_1d.py) picks the example and calls one of them."""

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from explorer.inspect.shared_results import fingerprint
from explorer.learn import signal_charts, signals
from explorer.ui import cached, code_panel, first_screen, shared_charts, url_state


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


def shift_key(preset: str) -> str:
    """One shift setting per example: their ranges differ (a shared key carried the Gaussians'
    -5.6 into the dropped ball's 0..24 and crashed the page, issue #14)."""
    return "convolution_1d_shift_" + {"box * box": "box", "two Gaussians": "gauss"}.get(preset, "ball")


def toggle_play(key: str) -> None:
    st.session_state[key + "_playing"] = not st.session_state.get(key + "_playing", False)
    if not st.session_state[key + "_playing"]:  # paused: the slider stays where the animation is
        shown = st.session_state.get(key + "_frame")
        if shown is not None:
            st.session_state[key + "_pending"] = shown


@st.fragment
def sliding_view(pair: signals.Pair, key: str, preset: str) -> None:
    """The slider (or Play) moves c; only this part reruns. While playing the button reads
    Pause; when the animation ends or is paused, the slider is moved to where it stopped."""
    result = signals.convolve(pair)
    # Shifts as short decimals: a float slider put JavaScript's -0.47999999999999693 in the
    # address; a select slider of rounded values puts -0.48 there.
    c_values = [round(float(v), 6) for v in pair.out_x]
    state = st.session_state
    if key + "_pending" in state:  # set before the widget exists: Streamlit allows only that
        state[key] = c_values[min(max(int(state.pop(key + "_pending")), 0), len(c_values) - 1)]
    playing = bool(state.get(key + "_playing", False))
    left, right = st.columns([4, 1])
    # Start where the result is half way up: the overlap is visible straight away.
    start = int(np.argmax(result >= 0.5 * result.max()))
    c = left.select_slider("Shift c", c_values, value=c_values[start], key=key, bind=url_state.BIND,
                           format_func=lambda v: f"{v:g}", disabled=playing)
    right.button("⏸ Pause" if playing else "▶ Play", key="convolution_1d_play", width="stretch",
                 on_click=toggle_play, args=(key,),
                 help="Slide c from left to right and draw (f * g)(c) as it goes.")
    top, bottom, number = st.empty(), st.empty(), st.empty()

    # The charts depend only on the example's settings and c: built once for the whole class.
    which = (fingerprint(pair.x, pair.f, pair.g, pair.discrete, pair.f_label, pair.g_label, pair.x_label),
             url_state.presenting())

    def draw(k: int) -> None:
        s = signals.slide(pair, k)
        shared_charts.draw(top, ("conv1d_sliding", *which, k),
                           lambda: url_state.readable(signal_charts.sliding(pair, s)), width="stretch")
        shared_charts.draw(bottom, ("conv1d_running", *which, k),
                           lambda: url_state.readable(signal_charts.running(pair, result, k)), width="stretch")
        label = "P(total = c)" if pair.discrete else "(f * g)(c) = shaded area"
        number.metric(label, f"{s.value:.4f}", help=f"numpy.convolve gives {result[k]:.4f} here")

    if playing:
        frames = np.unique(np.linspace(0, len(c_values) - 1, min(len(c_values), 60)).astype(int))
        for k in frames:
            state[key + "_frame"] = int(k)  # a Pause click reads where the animation is
            draw(int(k))
            time.sleep(0.05)
        state[key + "_playing"] = False
        state[key + "_pending"] = int(frames[-1])
        try:
            st.rerun(scope="fragment")
        except StreamlitAPIException:  # a full-page run (a fresh page with Play on): rerun it all
            st.rerun()
    draw(c_values.index(c) if c in c_values else start)
    first_screen.drawn()  # the two charts and the value fill the first screen: drawn before the rest arrives
    if pair.discrete:
        st.caption(f"Probabilities stay probabilities: f sums to {pair.f.sum():.3f}, g to "
                   f"{pair.g.sum():.3f}, f * g to {result.sum():.3f}.")
    else:
        st.caption(f"Areas multiply: area of f = {pair.f.sum() * pair.dx:.3f}, area of g = "
                   f"{pair.g.sum() * pair.dx:.3f}, area of f * g = {result.sum() * pair.dx:.3f}.")
    code_panel.convolution_1d(preset, c)


def echo_view() -> None:
    """A synthesised sound convolved with a two-spike kernel: hear the echo."""
    cols = st.columns(3)
    name = cols[0].selectbox("Sound", signals.SOUNDS, key="convolution_1d_sound", bind=url_state.BIND)
    delay = cols[1].slider("Echo delay (ms)", 50, 600, 250, 10, key="convolution_1d_delay", bind=url_state.BIND)
    gain = cols[2].slider("Echo loudness", 0.0, 1.0, 0.6, 0.05, key="convolution_1d_gain", bind=url_state.BIND)
    rate = signals.SAMPLE_RATE
    echo = cached.shared_results().get(("echo", name, delay, gain), lambda: _echo(name, delay, gain))
    sound, kernel, heard = echo.sound, echo.kernel, echo.heard
    st.write(
        "The kernel is two spikes: 1 at time 0 (the sound itself) and the loudness you chose "
        "after the delay (the sound bouncing off a wall). Convolving copies the whole sound at "
        "every spike, scaled by the spike: the original plus a quieter, later copy."
    )
    span = len(heard) / rate
    left, right = st.columns(2)
    # The charts and the sounds are the same for every student with these settings: built and
    # encoded once for the class (Altair's validation and the WAV encoding were most of a run).
    which = (name, delay, gain, url_state.presenting())
    with left:
        shared_charts.draw(st, ("echo_sound", *which), lambda: url_state.readable(
            signal_charts.waveform(sound, rate, f"Sound: {name}", seconds=span)), width="stretch")
        st.audio(echo.sound_wav, format="audio/wav")
        shared_charts.draw(st, ("echo_kernel", *which), lambda: url_state.readable(
            signal_charts.spikes(kernel, rate, seconds=span)), width="stretch")
    with right:
        shared_charts.draw(st, ("echo_heard", *which), lambda: signal_charts.waveform(
            heard, rate, "Sound * kernel: with the echo", colour="#2ca02c", seconds=span), width="stretch")
        st.audio(echo.heard_wav, format="audio/wav")
        st.metric("Length", f"{len(sound)} + {len(kernel)} − 1 = {len(heard)} samples",
                  help="A full convolution is as long as both inputs together, minus one.")
    first_screen.drawn()
    code_panel.convolution_1d("echo")


@dataclass(frozen=True)
class Echo:
    """The echo example at one setting: the sound, the kernel and their convolution (1-D
    float arrays), and the two sounds as WAV bytes."""
    sound: np.ndarray
    kernel: np.ndarray
    heard: np.ndarray
    sound_wav: bytes
    heard_wav: bytes


def _echo(name: str, delay_ms: int, gain: float) -> Echo:
    rate = signals.SAMPLE_RATE
    sound = signals.sound(name, rate)
    kernel = signals.echo_kernel(delay_ms / 1000, gain, rate)
    heard = signals.with_echo(sound, kernel)
    # Scaled like the original so the echo is not louder than it should be; encoded as st.audio
    # encodes an array (the same bytes), once.
    return Echo(sound, kernel, heard, wav(sound, rate), wav(heard / max(1.0, np.abs(heard).max()), rate))


def wav(samples: np.ndarray, rate: int) -> bytes:
    """The WAV bytes st.audio(samples, sample_rate=rate) sends."""
    from streamlit.elements.media import _maybe_convert_to_wav_bytes  # st.audio's own encoder

    return _maybe_convert_to_wav_bytes(samples, rate)

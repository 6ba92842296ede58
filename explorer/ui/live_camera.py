"""The live camera (streamlit-webrtc): the browser's camera stream goes to the server over
WebRTC, every frame is read by the model (explorer/inspect/live.py) and comes back with the
map drawn over it; the prediction and its probabilities refresh beside the video.

No STUN or TURN server is used unless CNN_EXPLORER_ICE_SERVERS names one: on a school network
the browser and the server reach each other directly (host candidates), and streamlit-webrtc's
default, Google's public STUN server, would be a request to the internet from every laptop.
"""

from __future__ import annotations

import json
import os

import numpy as np
import streamlit as st

from explorer import limits
from explorer.codegen.live import FRAME as FRAME_NAME
from explorer.inspect import live
from explorer.inspect.probability_chart import probability_spec
from explorer.percent import percent
from explorer.saved import registry
from explorer.ui import cached, code_panel, model_choice, model_picker, plain, url_state, webrtc_fixes
from explorer.ui.model_cache import load_model

ICE_ENV = "CNN_EXPLORER_ICE_SERVERS"
# The server decodes and re-encodes every stream (VP8): at 320x240 and 15 frames/s that is a
# quarter of the work of 640x480 and half of 30 frames/s, and the model reads 64x64 anyway
# (bench/README.md: 3 cameras over WebRTC kept 13 frames/s each at 320x240, 4.5 at 640x480 on
# the loaded 2-core machine). Home's projector view, one stream, asks for 640x480.
VIDEO = {"width": {"ideal": 320}, "height": {"ideal": 240}, "frameRate": {"ideal": 15, "max": 30}}
PROJECTOR = {**VIDEO, "width": {"ideal": 640}, "height": {"ideal": 480}}
REFRESH = 0.5  # seconds between two refreshes of the prediction beside the video
WAIT = 1.0  # seconds a frame may wait for the worker before it is shown without a reading
TRANSLATIONS = {"start": "▶ Start the live camera", "stop": "⏹ Stop"}


def ice_servers(text: str | None = None) -> list[dict]:
    """The ICE servers to use: none by default. `text` (default $CNN_EXPLORER_ICE_SERVERS) is
    either JSON, as in a browser's RTCConfiguration ('[{"urls": "stun:stun.example.org:3478"}]',
    with "username" / "credential" for TURN), or URLs separated by spaces or commas."""
    text = (os.environ.get(ICE_ENV, "") if text is None else text).strip()
    if not text:
        return []
    if text.startswith("["):
        servers = json.loads(text)
        if not all(isinstance(s, dict) and "urls" in s for s in servers):
            raise ValueError(f"{ICE_ENV}: every server needs its 'urls'")
        return servers
    return [{"urls": url} for url in text.replace(",", " ").split()]


def rtc_configuration() -> dict:
    """For both sides, browser and server: an explicit list, so streamlit-webrtc adds no default."""
    return {"iceServers": ice_servers()}


@st.cache_resource
def _worker() -> live.FairWorker:
    """The server's one live-camera worker: every student's frames take turns on it."""
    return live.FairWorker()


@st.cache_resource(max_entries=8, show_spinner="Preparing the model for the live camera…")
def _reader(model_id: str, method: str) -> live.LiveReader:
    model, card = load_model(model_id)
    return live.LiveReader(live.private_copy(model), card.input_size, method)


def _latest(prefix: str) -> live.Latest:
    key = f"{prefix}_live_latest"
    if key not in st.session_state:
        st.session_state[key] = live.Latest()
    return st.session_state[key]


def stream(prefix: str, model_id: str, classes: list[str], method: str = "grad_cam", opacity: float = 0.6,
           video: dict = VIDEO):
    """The video widget; returns streamlit-webrtc's context (ctx.state.playing)."""
    from streamlit_webrtc import WebRtcMode, webrtc_streamer  # ~1 s of imports: only where a video is shown

    webrtc_fixes.install()  # two frame periods less from frame to overlay
    latest = _latest(prefix)
    name = f"{cached.session_id()}:{prefix}"
    worker = _worker()
    return webrtc_streamer(
        key=f"{prefix}_live_video", mode=WebRtcMode.SENDRECV,  # session_state holds its context there
        # An explicit empty list on both sides: streamlit-webrtc fills in Google's STUN otherwise.
        rtc_configuration=rtc_configuration(),
        media_stream_constraints={"video": video, "audio": False},
        video_frame_callback=live.FrameHandler(_reader(model_id, method), worker, name, latest, classes, opacity, WAIT),
        on_video_ended=lambda: worker.close(name),
        async_processing=True, translations=TRANSLATIONS,
        video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
    )


@st.fragment(run_every=REFRESH)
def readout(prefix: str, classes: list[str], big: bool = False) -> None:
    """The newest reading beside the video: the predicted sign, every class probability, and
    how fast the server reads this stream."""
    latest = _latest(prefix)
    reading = latest.get()
    if latest.error:
        st.warning(latest.error)
    if reading is None:
        st.info("Waiting for the first frames from the camera…")
        return
    top = reading.top
    name = plain.md(classes[top])
    if big:
        st.markdown(f"<div style='font-size:4rem;font-weight:700;line-height:1.1'>{name}</div>",
                    unsafe_allow_html=True)
    st.markdown(f"Live prediction: **{name}** ({percent(reading.probabilities[top])})")
    probs = reading.probabilities
    shown = np.argsort(-probs, kind="stable")[:limits.CHART_CLASSES] if len(classes) > limits.CHART_CLASSES \
        else np.arange(len(classes))  # as input_picker.probability_chart
    spec = probability_spec(probs[shown], [classes[i] for i in shown], int(np.argmax(shown == top)),
                            label_px=20 if url_state.presenting() else 12)
    st.vega_lite_chart(spec=url_state.readable(spec), width="stretch")
    others = _worker().streams() - 1
    st.caption(f"{latest.pace.fps():.0f} frames read per second, {latest.pace.latency_ms():.0f} ms from frame to "
               f"picture" + (f"; {others} other camera{'s' if others != 1 else ''} live on this server" if others > 0
                             else ""))


def frame_download(prefix: str) -> None:
    """The last frame the model read, as a PNG for the script (encoded only when clicked). Until
    the first frame, a note that looks again every second; then one rerun of the page and a
    button that stays put (a button redrawn every second can lose the click)."""
    had = _latest(prefix).has_frame
    st.fragment(_frame_button, run_every=None if had else 1.0)(prefix, had)


def _frame_button(prefix: str, had: bool) -> None:
    latest = _latest(prefix)
    if not latest.has_frame:
        st.caption(f"Start the camera: a button here then gives the last frame the model read "
                   f"(`{FRAME_NAME}`), the picture the script reads.")
        return
    if not had:
        st.rerun()
    st.download_button("⬇️ Last camera frame (.png)", lambda: latest.frame_png() or b"", file_name=FRAME_NAME,
                       mime="image/png", on_click="ignore", key=f"{prefix}_live_frame_png")


def live_view(prefix: str, picked, left, right) -> None:
    """The Saliency page's live mode: the video and its settings on the left, the prediction
    on the right."""
    with left:
        c1, c2 = st.columns(2)
        method = c1.selectbox("Map", list(live.MAPS), format_func=live.MAPS.get, key=f"{prefix}_live_map",
                              help="Grad-CAM: which regions the last convolution looks at (coarse). "
                                   "Gradient saliency: which pixels would move the score most.")
        opacity = c2.slider("Map opacity", 0.0, 1.0, 0.6, 0.05, key=f"{prefix}_live_opacity")
        ctx = stream(prefix, picked.id, picked.classes, method, opacity)
        st.caption("Sign inside the yellow square: that square is what the model reads, shrunk to "
                   f"{picked.input_size[2]}x{picked.input_size[1]} like the test pictures. The video goes "
                   "only to this server, and nothing is saved.")
        code_panel.live(picked, method, opacity, lambda: frame_download(prefix))
    with right:
        if ctx.state.playing:
            readout(prefix, picked.classes, big=url_state.presenting())
        else:
            st.info("Press **Start the live camera** and allow the camera: the prediction appears here "
                    "and the map is drawn on the video. The six explanations below need a still picture: "
                    "choose a test picture, your photo or the webcam's.")


def home_panel() -> None:
    """A compact live camera for projecting (Home, once its toggle is on): the model last chosen
    on an Inspect page (else the newest), the video, the sign in big type."""
    saved = [m for m in registry.list_models() if m.card.architecture != "course_mlp"]
    if not saved:
        st.info("Train a model first (Inspect → any page offers the fast default net).")
        return
    index, _ = model_choice.default_index(saved, st.session_state.get(model_picker.CHOSEN))
    chosen = saved[index]
    st.caption(f"Model: {plain.md(model_choice.label(chosen))}. The Saliency page has more settings.")
    left, right = st.columns([3, 2], gap="large")
    with left:
        ctx = stream("home", chosen.id, list(chosen.card.classes), video=PROJECTOR)
        model, card = load_model(chosen.id)
        code_panel.live(model_picker.Picked(chosen.id, model, card), "grad_cam", 0.6, lambda: frame_download("home"))
    with right:
        if ctx.state.playing:
            readout("home", list(chosen.card.classes), big=True)

"""The Inspect pages' input picker (a test picture, an upload, the webcam or, where a page offers it, the live camera), the picture shown
large, and the class to explain with its probability chart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import altair as alt
import numpy as np
import streamlit as st

from explorer import limits
from explorer.data import images
from explorer.inspect import pixel_model
from explorer.inspect.probability_chart import probability_chart as bars
from explorer.percent import percent
from explorer.pictures import render
from explorer.ui import attribution_cache, cached, model_cache, plain, shared_charts, url_state
from explorer.ui.model_cache import probabilities, test_probabilities, test_split
from explorer.ui.model_picker import Picked, model_picker

T = TypeVar("T")

SOURCES = {"test": "🧪 Test picture", "upload": "📁 Your photo", "webcam": "📷 Webcam"}
FILTERS = {"all": "All", "correct": "✅ Correct", "wrong": "❌ Wrong"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
SHOW_SIDE = 256


@dataclass(frozen=True, eq=False)
class Input:
    """array: float32 (C, H, W) in [0, 1], exactly what the model sees; key names it for caches."""

    array: np.ndarray
    key: str
    label: str
    true_class: int | None = None


LIVE = "live"  # input_picker's answer when the live camera is chosen


def input_picker(prefix: str, picked: Picked, live: bool = False) -> Input | str | None:
    """Choose the picture to explain; None (with a message) until there is one, LIVE for the
    live camera (offered when `live`). The source is not in the address: a photo stays on the
    computer that took it, so links open test pictures."""
    sources = {**SOURCES, LIVE: "🎥 Live"} if live else SOURCES
    source = st.segmented_control("Picture", list(sources), format_func=sources.get, default="test",
                                  required=True, key=f"{prefix}_source")
    if source == LIVE:
        return LIVE
    if source == "upload":
        up = st.file_uploader("A photo of a hand (PNG, JPEG, …)", type=UPLOAD_TYPES, key=f"{prefix}_upload")
        st.caption(limits.image_caption())
        return _from_upload(up, picked, "Your photo")
    if source == "webcam":
        shot = st.camera_input("Show a hand sign and take a picture", key=f"{prefix}_camera")
        st.caption(limits.webcam_caption())
        return _from_upload(shot, picked, "The webcam picture", camera=True)
    return _from_test_split(prefix, picked)


@st.cache_data(max_entries=16, show_spinner=False)
def _decoded(upload_key: str, _data: bytes, size: tuple[int, int, int], camera: bool = False) -> np.ndarray:
    """An upload decoded once per file and model input size (keyed by session and upload id);
    a camera picture is cropped to its centred square first, as every live camera frame is."""
    img = images.decode(_data, max_side=max(size[1:]))
    return pixel_model.prepare_camera(img, size) if camera else pixel_model.prepare(img, size)


def _from_upload(upload, picked: Picked, what: str, camera: bool = False) -> Input | None:
    if upload is None:
        st.info(f"{what} will appear here, shrunk to {picked.input_size[1]}x{picked.input_size[2]} "
                "like the training pictures.")
        return None
    try:
        key = cached.upload_key(upload)
        arr = _decoded(key, upload.getvalue(), picked.input_size, camera)
    except images.ImageError as exc:
        st.error(str(exc))
        return None
    return Input(arr, f"upload:{key}:camera" if camera else f"upload:{key}", what)


def _from_test_split(prefix: str, picked: Picked) -> Input | None:
    test = test_split(picked.id)
    if test is None:
        st.info(f"The test pictures of “{plain.md(picked.card.dataset)}” are not on this machine; "
                "upload a photo or use the webcam instead.")
        return None
    probs = test_probabilities(picked.id)
    predicted = probs.argmax(1)
    with url_state.secondary("⚙️ Which test pictures"):
        which = st.segmented_control("Show", list(FILTERS), format_func=FILTERS.get, default="all",
                                     required=True, key=f"{prefix}_filter", bind=url_state.BIND)
        cls = st.selectbox("Class", [None, *range(len(test.classes))], key=f"{prefix}_class", bind=url_state.BIND,
                           format_func=lambda c: "any class" if c is None else test.classes[c])
    keep = np.ones(len(test), bool)
    if which == "correct":
        keep &= predicted == test.labels
    elif which == "wrong":
        keep &= predicted != test.labels
    if cls is not None:
        keep &= test.labels == cls
    matches = np.flatnonzero(keep)
    if not len(matches):
        st.info("No test picture matches this filter (a wrong one may simply not exist: the model "
                "is that good). Change the filter.")
        return None
    pos = 0
    if len(matches) > 1:
        pos = st.slider(f"Picture ({len(matches)} match)", 1, len(matches), 1, key=f"{prefix}_index",
                        bind=url_state.BIND) - 1
    pos = min(pos, len(matches) - 1)
    return test_input(test, int(matches[pos]))


def test_input(test, i: int) -> Input:
    """Test picture i of a split (explorer.data.datasets.Dataset); 0 is the one pages open first."""
    true = int(test.labels[i])
    return Input(np.ascontiguousarray(test.images[i]), f"test:{i}", f"Test picture #{i} (a {plain.md(test.classes[true])})", true)


def big(array: np.ndarray, side: int = SHOW_SIDE) -> np.ndarray:
    """(C, H, W) in [0, 1] -> uint8 picture enlarged with sharp pixels to about `side`."""
    from explorer.pictures import colormaps

    return colormaps.enlarge(render.to_uint8(array), render.upscale_factor(array.shape[-1], side))


def big_rgb(img: np.ndarray, side: int = SHOW_SIDE) -> np.ndarray:
    """(H, W[, 3]) uint8 enlarged with sharp pixels to about `side`."""
    from explorer.pictures import colormaps

    return colormaps.enlarge(img, render.upscale_factor(img.shape[1], side))


def show_input(picked: Picked, inp: Input) -> np.ndarray:
    """The preprocessed picture, the prediction and every class probability; returns them (K,)."""
    probs = probabilities(picked.id, inp.key, inp.array)
    top = int(probs.argmax())
    c, h, w = inp.array.shape
    left, right = st.columns([1, 2])
    picture, chart = prediction_views(picked.id, picked.classes, inp, probs, url_state.presenting())
    left.image(picture, output_format="PNG", caption=f"What the model sees: {w}x{h} {'grey' if c == 1 else 'RGB'}")
    verdict = f"Prediction: **{plain.md(picked.classes[top])}** ({percent(probs[top])})"
    if inp.true_class is not None:
        ok = inp.true_class == top
        verdict += f" · true class **{plain.md(picked.classes[inp.true_class])}** {'✅' if ok else '❌'}"
    right.markdown(verdict)
    right.vega_lite_chart(url_state.readable(chart), width="stretch")
    if inp.true_class is None:  # a photo or webcam shot: it may show something else entirely
        right.caption(ood_sentence(picked.classes))
    return probs


def prediction_views(model_id: str, classes: list[str], inp: Input, probs: np.ndarray,
                     presenting: bool) -> tuple[bytes, dict]:
    """(the input enlarged as PNG, the probability chart's spec) for one input: built once for
    the class (the chart's labels are larger in presenter mode)."""
    picture = attribution_cache.shared_png("input", (inp.array, 200), lambda: big(inp.array, 200))
    top = int(probs.argmax())
    chart = shared_charts.spec(("probabilities", model_cache.version(model_id), inp.key, presenting),
                               lambda: probability_chart(probs, classes, top, presenting))
    return picture, chart


def ood_sentence(classes: list[str]) -> str:
    """One sentence under a photo's prediction: the model can only answer with its classes."""
    shown = plain.md_list(classes[:10]) + (", …" if len(classes) > 10 else "")  # names from a zip: plain text
    return (f"The model can only answer with one of its {len(classes)} classes ({shown}): a photo "
            "of something else still gets one of them, often with high confidence.")


def probability_chart(probs: np.ndarray, classes: list[str], highlight: int,
                      presenting: bool | None = None) -> alt.Chart:
    """Bars of the class probabilities, every one labelled; with many classes, the
    limits.CHART_CLASSES most likely. presenting: larger labels (None: this session's mode)."""
    presenting = url_state.presenting() if presenting is None else presenting
    shown = np.arange(len(classes))
    if len(classes) > limits.CHART_CLASSES:
        shown = np.argsort(-probs, kind="stable")[:limits.CHART_CLASSES]
    chart = bars(probs[shown], [classes[i] for i in shown], int(np.argmax(shown == highlight)) if highlight in shown else -1,
                 label_px=20 if presenting else 12)
    if len(shown) < len(classes):
        chart = chart.properties(title=f"The {len(shown)} most likely of {len(classes):,} classes")
    return chart


def target_picker(prefix: str, picked: Picked, inp: Input, probs: np.ndarray) -> int:
    """The class to explain: the predicted one by default (again for each new picture), any
    selectable."""
    order = list(range(len(picked.classes)))
    top = int(np.argmax(probs))
    return st.selectbox("Explain the class", order, index=top, key=f"{prefix}_target_{inp.key}", bind=url_state.BIND,
                        format_func=lambda k: f"{picked.classes[k]} ({percent(probs[k])})"
                        + (" · predicted" if k == top else ""))


def input_beside(prefix: str, picked: Picked, note: Callable[[Input, np.ndarray], T] | None = None,
                 live: Callable | None = None) -> tuple[Input, np.ndarray, T | None]:
    """The input picker on the left, the picture with its prediction on the right, then
    `note(input, probabilities)` under it; returns (input, class probabilities (K,), what the
    note returned). Stops the page (with the picker's own message) until an input is chosen.
    live: offers the live camera too, drawn by live(prefix, picked, left column, right column);
    the page then stops below the video."""
    left, right = st.columns([1, 1], gap="large")
    with left:
        inp = input_picker(prefix, picked, live is not None)
    if inp == LIVE:
        live(prefix, picked, left, right)
        st.stop()
    if inp is None:
        st.stop()
    with right:
        probs = show_input(picked, inp)
        extra = note(inp, probs) if note is not None else None
    return inp, probs, extra


def explain_setup(prefix: str, live: Callable | None = None) -> tuple[Picked, Input, np.ndarray, int]:
    """The top of an explanation page: model, then input beside its prediction and the class
    to explain; returns (model, input, class probabilities (K,), target). Stops the page (with the pickers' own message) until both are chosen.
    live: offers the live camera too (see input_beside)."""
    picked = model_picker(prefix)
    if picked is None:
        st.stop()
    inp, probs, target = input_beside(prefix, picked, lambda i, p: target_picker(prefix, picked, i, p), live)
    return picked, inp, probs, target

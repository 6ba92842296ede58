"""Widgets the Inspect pages share: the model picker (with "train the default net now"), the
input picker (test split / upload / webcam) and the preprocessed input with its prediction.

Everything per model is cached by the model's registry id (never id()); uploads are keyed by
their upload id and stay in the session that made them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
import torch

from explorer import limits, registry
from explorer.data import datasets, images
from explorer.inspect import pixel_model
from explorer.pictures import render
from explorer.train import recipes, runs, training
from explorer.ui import cached, url_state

CHOSEN = "inspect_model_id"  # session_state: the model last chosen on any Inspect page
TRAIN_JOB = "inspect_train_job"  # session_state: id of the default-net job this session started
SOURCES = {"test": "🧪 Test picture", "upload": "📁 Your photo", "webcam": "📷 Webcam"}
FILTERS = {"all": "All", "correct": "✅ Correct", "wrong": "❌ Wrong"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
SHOW_SIDE = 256


@dataclass(frozen=True, eq=False)
class Picked:
    id: str
    model: torch.nn.Module  # a PixelModel: input (N, C, H, W) in [0, 1]
    meta: dict

    @property
    def classes(self) -> list[str]:
        return list(self.meta["classes"])

    @property
    def input_size(self) -> tuple[int, int, int]:
        return tuple(int(v) for v in self.meta["input_size"])


@dataclass(frozen=True, eq=False)
class Input:
    """array: float32 (C, H, W) in [0, 1], exactly what the model sees; key names it for caches."""

    array: np.ndarray
    key: str
    label: str
    true_class: int | None = None


# ---- cached per model id --------------------------------------------------------------------

@st.cache_resource(max_entries=8, show_spinner="Loading the model…")
def load_model(model_id: str) -> tuple[torch.nn.Module, dict]:
    """(PixelModel in eval mode, meta) of a saved model; shared read-only by every session."""
    net, meta = registry.load(model_id)
    model = pixel_model.wrap(net, meta)
    for p in model.parameters():
        p.requires_grad_(False)  # attributions need input gradients only
    return model, meta


@st.cache_resource(max_entries=16)
def lock(model_id: str) -> threading.RLock:
    """One lock per model: its modules are shared by every session, and Captum and the feature
    map capture put hooks on them for the length of a call, so one call at a time."""
    return threading.RLock()


@st.cache_resource(max_entries=4, show_spinner="Preparing the model with random weights…")
def randomised_model(model_id: str, seed: int = 0) -> torch.nn.Module:
    from explorer.inspect import sanity

    return sanity.randomised_copy(load_model(model_id)[0], seed)


def dataset_of(meta: dict) -> datasets.Dataset | None:
    """The whole dataset the model was trained on, when it is a built-in one on this machine."""
    name = meta.get("dataset")
    if name not in datasets.NAMES:
        return None
    try:
        ds = cached.dataset(name)
    except datasets.DatasetError:
        return None
    return ds if tuple(ds.image_shape) == tuple(meta["input_size"]) else None


@st.cache_resource(max_entries=8, show_spinner=False)
def test_split(model_id: str) -> datasets.Dataset | None:
    meta = load_model(model_id)[1]
    ds = dataset_of(meta)
    if ds is None:
        return None
    split = meta.get("split") or {}
    return datasets.split(ds, split.get("test_size", 0.2), split.get("random_state", 8))[1]


@st.cache_data(max_entries=8, show_spinner="Classifying the test pictures…")
def test_probabilities(model_id: str) -> np.ndarray | None:
    """(N_test, K) probabilities of the model on its test split."""
    test = test_split(model_id)
    if test is None:
        return None
    with lock(model_id):
        return pixel_model.probabilities(load_model(model_id)[0], test.images)


@st.cache_data(max_entries=64, show_spinner=False)
def probabilities(model_id: str, input_key: str, _array: np.ndarray) -> np.ndarray:
    """(K,) class probabilities for one input (array passed unhashed, named by input_key)."""
    with lock(model_id):
        return pixel_model.probabilities(load_model(model_id)[0], _array[None])[0]


# ---- model picker ---------------------------------------------------------------------------

def _label(saved: registry.SavedModel) -> str:
    from explorer.ui import model_choice  # names the dataset and whether its pictures are here

    return model_choice.label(saved)


def model_picker(prefix: str) -> Picked | None:
    """Choose a saved model; with none saved, offer to train the default net (returns None)."""
    saved = [m for m in registry.list_models() if _usable(m)]
    if not saved:
        st.info("There is no trained model yet. Train the fast default net now: it takes "
                "seconds, then every Inspect page can open it up.")
        train_default_net(prefix)
        return None
    ids = [m.id for m in saved]
    labels = {m.id: _label(m) for m in saved}
    shared_model(prefix, ids)
    from explorer.ui import model_choice  # prefers a model whose test pictures are on this server

    index, note = model_choice.default_index(saved, st.session_state.get(CHOSEN))
    model_id = st.selectbox("Model", ids, index=index, format_func=labels.get, key=f"{prefix}_model")
    if note and st.session_state.get(f"{prefix}_model") == ids[index]:
        st.caption(note)
    st.session_state[CHOSEN] = model_id
    url_state.publish("model", model_id)
    try:
        model, meta = load_model(model_id)
    except registry.RegistryError as exc:
        st.error(f"This model cannot be opened: {exc}")
        return None
    if not any(isinstance(m, torch.nn.Conv2d) for m in model.modules()):
        st.warning("This model has no convolution layer, so there are no filters, feature maps or "
                   "Grad-CAM to show. Pick a convolutional model (or train one).")
        return None
    return Picked(model_id, model, meta)


def shared_model(prefix: str, ids: list[str]) -> None:
    """Choose the model a link names (?model=<id>) when it is one of `ids`; a link to a model
    this server does not have opens the usual one, with a note."""
    shared = url_state.incoming("model")
    if shared is None:
        return
    if shared in ids:
        st.session_state[CHOSEN] = st.session_state[f"{prefix}_model"] = shared
    else:
        st.caption("The model named in the link is not on this server; showing another one.")


def _usable(saved: registry.SavedModel) -> bool:
    """Convolutional models only: the Inspect pages have nothing to show for an MLP."""
    return saved.meta.get("architecture") != "course_mlp"


def train_default_net(prefix: str) -> None:
    """A button that trains FastNet in the background (job manager), then a live progress."""
    job = _my_job()
    if job is None and st.button("🏋️ Train the default net now (a few seconds)", key=f"{prefix}_train",
                                 type="primary"):
        job = _submit_default()
    if job is not None:
        _progress(job)


def _my_job():
    job_id = st.session_state.get(TRAIN_JOB)
    return next((j for j in cached.job_manager().jobs(owner=cached.session_id()) if j.id == job_id), None)


def _submit_default():
    try:
        name, ds = "sign-digits", cached.dataset("sign-digits")
    except datasets.DatasetError:
        name, ds = "digits", cached.dataset("digits")
    train, test = datasets.split(ds)
    arch = recipes.DEFAULT_MODEL
    request = runs.TrainRequest(
        recipes.model_spec(arch, ds), training.TrainConfig(**recipes.default_schedule(arch)), name,
        train, test, {"test_size": 0.2, "random_state": 8}, recipes.default_name(arch, name))
    job = runs.submit(cached.job_manager(), request, owner=cached.session_id())
    st.session_state[TRAIN_JOB] = job.id
    return job


@st.fragment(run_every=0.5)
def _progress(job) -> None:
    if job.state == "queued":
        st.info(f"Waiting for a free training slot (position {job.queue_position()} in the queue)…")
        return
    if job.state == "failed":
        st.error(f"Training failed: {job.error}")
        return
    end = job.last(training.EpochEnd)
    if not job.is_finished:
        frac = end.epoch / end.epochs if end else 0.0
        text = (f"Epoch {end.epoch}/{end.epochs}: test accuracy {end.test_accuracy:.0%}"
                if end else "Training the default net…")
        st.progress(frac, text=text)
        return
    outcome = job.result
    if outcome is None or outcome.saved is None:
        st.warning("Training stopped before an epoch finished, so nothing was saved. Try again.")
        return
    st.session_state[CHOSEN] = outcome.saved.id
    st.session_state.pop(TRAIN_JOB, None)
    st.rerun(scope="app")


# ---- input picker ---------------------------------------------------------------------------

def input_picker(prefix: str, picked: Picked) -> Input | None:
    """Choose the picture to explain; None (with a message) until there is one. The source is
    not in the address: a photo stays on the computer that took it, so links open test pictures."""
    source = st.segmented_control("Picture", list(SOURCES), format_func=SOURCES.get, default="test",
                                  required=True, key=f"{prefix}_source")
    if source == "upload":
        up = st.file_uploader("A photo of a hand (PNG, JPEG, …)", type=UPLOAD_TYPES, key=f"{prefix}_upload")
        st.caption(limits.image_caption())
        return _from_upload(up, picked, "Your photo")
    if source == "webcam":
        shot = st.camera_input("Show a hand sign and take a picture", key=f"{prefix}_camera")
        st.caption(limits.webcam_caption())
        return _from_upload(shot, picked, "The webcam picture")
    return _from_test_split(prefix, picked)


@st.cache_data(max_entries=16, show_spinner=False)
def _decoded(upload_key: str, _data: bytes, size: tuple[int, int, int]) -> np.ndarray:
    """An upload decoded once per file and model input size (keyed by session and upload id)."""
    return pixel_model.prepare(images.decode(_data), {"input_size": list(size)})


def _from_upload(upload, picked: Picked, what: str) -> Input | None:
    if upload is None:
        st.info(f"{what} will appear here, shrunk to {picked.input_size[1]}x{picked.input_size[2]} "
                "like the training pictures.")
        return None
    try:
        key = cached.upload_key(upload)
        arr = _decoded(key, upload.getvalue(), picked.input_size)
    except images.ImageError as exc:
        st.error(str(exc))
        return None
    return Input(arr, f"upload:{key}", what)


def _from_test_split(prefix: str, picked: Picked) -> Input | None:
    test = test_split(picked.id)
    if test is None:
        st.info(f"The test pictures of {picked.meta.get('dataset')!r} are not on this machine; "
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
    i = int(matches[pos])
    true = int(test.labels[i])
    return Input(np.ascontiguousarray(test.images[i]), f"test:{i}", f"Test picture #{i} (a {test.classes[true]})", true)


# ---- showing the input ----------------------------------------------------------------------

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
    left.image(big(inp.array, 200), output_format="PNG", caption=f"What the model sees: {w}x{h} {'grey' if c == 1 else 'RGB'}")
    verdict = f"Prediction: **{picked.classes[top]}** ({probs[top]:.0%})"
    if inp.true_class is not None:
        ok = inp.true_class == top
        verdict += f" · true class **{picked.classes[inp.true_class]}** {'✅' if ok else '❌'}"
    right.markdown(verdict)
    right.altair_chart(probability_chart(probs, picked.classes, top), width="stretch")
    if inp.true_class is None:  # a photo or webcam shot: it may show something else entirely
        right.caption(ood_note(picked.classes))
    return probs


def ood_note(classes: list[str]) -> str:
    """One sentence under a photo's prediction (a #18 helper builds a real out-of-distribution score)."""
    shown = ", ".join(classes[:10]) + (", …" if len(classes) > 10 else "")
    return (f"The model can only answer with one of its {len(classes)} classes ({shown}): a photo "
            "of something else still gets one of them, often with high confidence.")


def probability_chart(probs: np.ndarray, classes: list[str], highlight: int) -> alt.Chart:
    from explorer.inspect.probability_chart import probability_chart as chart  # every class labelled

    return chart(probs, classes, highlight, label_px=20 if url_state.presenting() else 12)


def target_picker(prefix: str, picked: Picked, inp: Input, probs: np.ndarray) -> int:
    """The class to explain: the predicted one by default (again for each new picture), any
    selectable."""
    order = list(range(len(picked.classes)))
    top = int(np.argmax(probs))
    return st.selectbox("Explain the class", order, index=top, key=f"{prefix}_target_{inp.key}", bind=url_state.BIND,
                        format_func=lambda k: f"{picked.classes[k]} ({probs[k]:.0%})"
                        + (" · predicted" if k == top else ""))


def explain_setup(prefix: str) -> tuple[Picked, Input, np.ndarray, int]:
    """The top of an explanation page: model, then input beside its prediction and the class
    to explain; returns (model, input, class probabilities (K,), target). Stops the page (with the pickers' own message) until both are chosen."""
    picked = model_picker(prefix)
    if picked is None:
        st.stop()
    left, right = st.columns([1, 1], gap="large")
    with left:
        inp = input_picker(prefix, picked)
    if inp is None:
        st.stop()
    with right:
        probs = show_input(picked, inp)
        target = target_picker(prefix, picked, inp, probs)
    return picked, inp, probs, target

"""The picture a Learn page works on: a sample, an upload, the webcam, or a dataset digit.

Widget keys are `<prefix>_<setting>` (one key per setting) and are the address parameters
(see url_state). An upload or a webcam picture never goes into the address: a link opens the
sample picture (or dataset digit) with the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
from PIL import Image

from explorer import limits
from explorer.data import datasets, images, samples
from explorer.ui import cached, learn_cache, url_state

SOURCES = {
    "sample": "🖼️ Sample picture",
    "upload": "📁 Your photo",
    "webcam": "📷 Webcam",
    "dataset": "✋ Dataset digit",
}
DATASETS = {"digits": "Handwritten digits (8x8)", "sign-digits": "Sign Language Digits (64x64)"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
FALLBACK = "shapes"
SHAREABLE = ("sample", "dataset")  # the sources a link can open


@dataclass(frozen=True, eq=False)
class Picture:
    """array: float32 (C, H, W) in [0, 1], C = 1 or 3; key names the content for caches."""

    array: np.ndarray
    key: str
    label: str
    notes: tuple[str, ...] = ()


def _fit(img: Image.Image, max_side: int) -> tuple[Image.Image, str | None]:
    """Scale big pictures down (keeping the aspect ratio) so every change redraws quickly."""
    w, h = img.size
    if max(w, h) <= max_side:
        return img, None
    f = max_side / max(w, h)
    small = img.resize((max(1, round(w * f)), max(1, round(h * f))), Image.Resampling.LANCZOS)
    ow, oh = img.info.get("original_size", img.size)  # images.decode may have shrunk it already
    return small, (f"Scaled down from {ow}x{oh} to {small.size[0]}x{small.size[1]} pixels "
                   "so that every change redraws immediately.")


def _array(img: Image.Image, channels: int) -> np.ndarray:
    return images.to_array(img, channels=channels)


@st.cache_data(max_entries=32, show_spinner=False)
def _sample(name: str, channels: int, max_side: int) -> tuple[np.ndarray, str | None]:
    img, note = _fit(samples.load(name), max_side)
    return _array(img, channels), note


@st.cache_data(max_entries=16, show_spinner=False)
def _decoded(upload_key: str, _data: bytes, channels: int, max_side: int) -> tuple[np.ndarray, str | None, bool]:
    """Decode an upload once per file (keyed by session and upload id, never shared by name)."""
    img = images.decode(_data, max_side=max_side)
    grey = img.mode == "L"
    img, note = _fit(img, max_side)
    return _array(img, channels), note, grey


# The preview's longer side in pixels: beside the source controls it fits next to them, so
# section 3 starts where it did without it.
PREVIEW_SIDE = 128


def pick(prefix: str, max_side: int = 512) -> Picture:
    """Draw the source widgets and return the chosen picture (a sample until one arrives).
    Beside them, a small preview of that picture: the first screen shows what the page works
    on (the result is further down, below the fold of a laptop's screen). In presenter mode the
    source and colour fold into an expander and there is no preview: the projected screen
    reaches the picture and the result sooner (issue #14)."""
    presenting = url_state.presenting()
    controls, preview = (st.container(), None) if presenting else st.columns([5, 2])
    with controls, url_state.secondary("🖼️ Picture source and colour"):
        source = _source(prefix)
        color = st.radio("Colour", ["grayscale", "RGB"], horizontal=True, key=f"{prefix}_color", bind=url_state.BIND,
                         help="RGB keeps three channels: the kernel gets one slice per channel.")
    pic = _chosen(prefix, source, 3 if color == "RGB" else 1, max_side)
    if preview is not None:
        _, h, w = pic.array.shape
        # PNG: a digit's enlarged pixels and the drawn samples' edges stay sharp (JPEG blurs them).
        preview.image(learn_cache.thumbnail(pic.key, pic.array, PREVIEW_SIDE), caption=f"{w}x{h} pixels",
                      output_format="PNG")
    return pic


def _chosen(prefix: str, source: str, channels: int, max_side: int) -> Picture:
    """The picture of `source`, with the widgets that choose it (an uploader, the camera, ...)."""
    if source == "upload":
        up = st.file_uploader("A photo (PNG, JPEG, …)", type=UPLOAD_TYPES, key=f"{prefix}_upload")
        st.caption(limits.image_caption())
        pic = _from_bytes(up, channels, max_side, "your photo")
    elif source == "webcam":
        shot = st.camera_input("Take a picture", key=f"{prefix}_camera")
        st.caption(limits.webcam_caption())
        pic = _from_bytes(shot, channels, max_side, "the webcam picture")
    elif source == "dataset":
        pic = _from_dataset(prefix, channels)
    else:
        name = st.selectbox("Sample", samples.names(), key=f"{prefix}_sample", bind=url_state.BIND,
                            format_func=lambda n: samples.describe(n).split(" (")[0])
        return _sample_picture(name, channels, max_side)
    return pic or _sample_picture(FALLBACK, channels, max_side, waiting=True)


def _source(prefix: str) -> str:
    """The source radio; the address holds it only for a dataset digit (a sample is the
    default, and uploads and webcam pictures stay private)."""
    key = f"{prefix}_source"
    shared = url_state.parse_choice(url_state.incoming(key), SHAREABLE)
    if shared is not None:
        st.session_state[key] = shared
    source = st.radio("Picture", list(SOURCES), format_func=SOURCES.get, horizontal=True, key=key)
    url_state.publish(key, "dataset" if source == "dataset" else None)
    return source


def _sample_picture(name: str, channels: int, max_side: int, waiting: bool = False) -> Picture:
    arr, note = _sample(name, channels, max_side)
    notes = [n for n in (note,) if n]
    if waiting:
        notes.insert(0, f"Showing the sample '{name}' until your picture arrives.")
    if channels == 3 and name in samples.DRAWN:
        notes.append("This drawing is grey: its three colour channels are identical.")
    return Picture(arr, f"sample:{name}:{channels}:{max_side}", samples.describe(name), tuple(notes))


def _from_bytes(upload, channels: int, max_side: int, what: str) -> Picture | None:
    if upload is None:
        return None
    key = cached.upload_key(upload)
    try:
        arr, note, grey = _decoded(key, upload.getvalue(), channels, max_side)
    except images.ImageError as exc:
        st.error(f"We cannot use {what}: {exc}")
        return None
    notes = [n for n in (note,) if n]
    if grey and channels == 3:
        notes.append("This picture is grey: its three colour channels are identical.")
    return Picture(arr, f"upload:{key}:{channels}:{max_side}", what.capitalize(), tuple(notes))


def _from_dataset(prefix: str, channels: int) -> Picture:
    name = st.radio("Dataset", list(DATASETS), format_func=DATASETS.get, horizontal=True,
                    key=f"{prefix}_dataset", bind=url_state.BIND)
    try:
        ds = cached.dataset(name)
    except datasets.DatasetError as exc:
        st.info(f"{exc} The bundled handwritten digits are used meanwhile.")
        name, ds = "digits", cached.dataset("digits")
    index = st.number_input(f"Image number (0-{len(ds) - 1})", 0, len(ds) - 1, 0, key=f"{prefix}_digit",
                            bind=url_state.BIND)
    arr = ds.images[int(index)].astype(np.float32)
    notes = []
    if channels == 3 and arr.shape[0] == 1:
        arr = np.repeat(arr, 3, axis=0)
        notes.append("This dataset is grey: its three colour channels are identical.")
    elif channels == 1 and arr.shape[0] == 3:
        arr = arr.mean(axis=0, keepdims=True)
    label = f"{DATASETS[name].split(' (')[0]} #{int(index)}: a {ds.classes[ds.labels[int(index)]]}"
    return Picture(np.ascontiguousarray(arr), f"dataset:{name}:{int(index)}:{channels}", label, tuple(notes))

"""Attribution maps for the Saliency, Occlusion, Faithfulness and Fooling pages (per model, input,
method and settings), computed once for the whole class: cached.shared_results."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from explorer.inspect import attribution, heatmaps, inspection, pixel_model
from explorer.inspect.shared_results import fingerprint
from explorer.pictures import colormaps, png, render
from explorer.ui import cached, model_cache


def attribution_map(model_id: str, randomised: bool, input_key: str, array: np.ndarray, target: int,
                    method: str, layer: str | None = None, params: tuple = ()) -> np.ndarray:
    """(H, W) map (read-only) of `method` for the saved model (or its randomised copy) on one
    input (array (C, H, W), named by input_key). params: sorted (name, value) pairs passed to
    attribution.attribute."""

    def compute() -> np.ndarray:
        model = (model_cache.randomised_model(model_id) if randomised
                 else model_cache.load_model(model_id)[0])
        module = inspection.module(model, layer) if layer else None
        sized = {**attribution.memory_params(method, model_cache.batch_size(model_id)), **dict(params)}
        with model_cache.lock(model_id):
            return attribution.attribute(model, pixel_model.batch(array), target, method, layer=module, **sized)

    key = (model_cache.version(model_id), "attribution", randomised, input_key, int(target), method, layer,
           tuple(params))
    return cached.shared_results().get(key, compute)


def shared_png(name: str, parts: tuple, draw: Callable[[], np.ndarray]) -> bytes:
    """PNG bytes of the picture draw() returns ((H, W[, 3]) uint8), encoded once for the class;
    `parts` (arrays and values) are everything the picture depends on. Give st.image
    output_format="PNG": with "auto" Streamlit re-encodes PNG bytes as JPEG on every run."""
    return cached.shared_results().get(("png", name, fingerprint(*parts)), lambda: png.encode(draw()))


def _digest(array: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(array).tobytes(), digest_size=16).hexdigest()


def heat_png(amap: np.ndarray, sign: str, outlier: float, side: int) -> bytes:
    """PNG of an attribution map as a heat map enlarged to about `side` pixels: the same for
    every student (keyed by the map's content and the display settings), encoded once."""
    def draw() -> bytes:
        norm = heatmaps.normalise(amap, sign, outlier)
        return png.encode(colormaps.enlarge(heatmaps.colour(norm, sign), render.upscale_factor(amap.shape[1], side)))

    return cached.shared_results().get(("heat_png", _digest(amap), sign, outlier, side), draw)


def overlay_png(image: np.ndarray, amap: np.ndarray, sign: str, outlier: float, opacity: float, side: int) -> bytes:
    """PNG of the map over the picture (image (C, H, W) in [0, 1]), encoded once per class."""
    def draw() -> bytes:
        norm = heatmaps.normalise(amap, sign, outlier)
        over = heatmaps.overlay(image, norm, opacity, sign)
        return png.encode(colormaps.enlarge(over, render.upscale_factor(amap.shape[1], side)))

    key = ("overlay_png", _digest(image), _digest(amap), sign, outlier, opacity, side)
    return cached.shared_results().get(key, draw)

"""Cached deletion / insertion curves and Captum metrics for the Faithfulness page, per saved
model id, picture and class (shared by the class: they do not depend on the session)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.inspect import attribution, faithfulness
from explorer.ui import attribution_cache, model_cache

METHODS = tuple(attribution.METHODS)  # every attribution method of the Saliency and Occlusion pages
RANDOM_ORDER = "Random order"


def occlusion_params(side: int) -> tuple:
    """A window of an eighth of the picture (at least 2 pixels), half a window's stride."""
    window = max(2, side // 8)
    return (("stride", max(1, window // 2)), ("window", window))


def params(method: str, side: int) -> tuple:
    return occlusion_params(side) if method == "occlusion" else ()


def random_label(method: str) -> str:
    return f"{attribution.METHODS[method].title} (random weights)"


@dataclass(frozen=True)
class Faithful:
    """Curves per label: each method, the random order and each method's random-weights map."""

    curves: dict  # label -> faithfulness.PixelCurves
    pictures: int


def _maps(model_id: str, key: str, array: np.ndarray, target: int, randomised: bool) -> dict[str, np.ndarray]:
    side = min(array.shape[1:])
    return {m: attribution_cache.attribution_map(model_id, randomised, key, array, target, m, None, params(m, side))
            for m in METHODS}


def _orders(model_id: str, key: str, array: np.ndarray, target: int) -> dict[str, np.ndarray]:
    trained = _maps(model_id, key, array, target, False)
    randomised = _maps(model_id, key, array, target, True)
    orders = {attribution.METHODS[m].title: faithfulness.ranking(trained[m]) for m in METHODS}
    orders[RANDOM_ORDER] = faithfulness.random_ranking(array.shape[1] * array.shape[2])
    orders.update({random_label(m): faithfulness.ranking(randomised[m]) for m in METHODS})
    return orders


@st.cache_data(max_entries=512, show_spinner="Deleting and inserting pixels in each map's order…")
def one_picture(model_id: str, key: str, _array: np.ndarray, target: int, blank: str = "black") -> Faithful:
    orders = _orders(model_id, key, _array, target)
    baseline = faithfulness.blank(_array, blank)
    with model_cache.lock(model_id):
        return Faithful(faithfulness.curves(model_cache.load_model(model_id)[0], _array, target, orders, baseline=baseline), 1)


def sample_indices(total: int, n: int) -> np.ndarray:
    """n test pictures spread evenly over the split (the same ones every time)."""
    return np.unique(np.linspace(0, total - 1, min(n, total)).round().astype(int))


def test_sample(model_id: str, n: int, blank: str = "black") -> Faithful | None:
    """Curves averaged over n test pictures, each explained for the class the model predicts
    (each picture's curves cached by one_picture, so a second visit only averages)."""
    test = model_cache.test_split(model_id)
    if test is None:
        return None
    probs = model_cache.test_probabilities(model_id)
    idx = sample_indices(len(test), n)
    bar = st.progress(0.0, text="Explaining the test pictures…")
    total: dict[str, list] = {}
    for k, i in enumerate(idx):
        arr = np.ascontiguousarray(test.images[i])
        one = one_picture(model_id, f"test:{i}", arr, int(probs[i].argmax()), blank)
        for label, c in one.curves.items():
            total.setdefault(label, []).append(c)
        bar.progress((k + 1) / len(idx), text=f"Explaining test picture {k + 1} of {len(idx)}…")
    bar.empty()
    mean = {label: faithfulness.PixelCurves(np.mean([c.deletion for c in cs], 0), np.mean([c.insertion for c in cs], 0))
            for label, cs in total.items()}
    return Faithful(mean, len(idx))


@st.cache_data(max_entries=64, show_spinner="Captum's infidelity for each method…")
def infidelities(model_id: str, key: str, _array: np.ndarray, target: int) -> dict[str, float]:
    maps = _maps(model_id, key, _array, target, False)
    with model_cache.lock(model_id):
        model = model_cache.load_model(model_id)[0]
        return {m: faithfulness.infidelity_of(model, _array, target, maps[m]) for m in METHODS}


@st.cache_data(max_entries=64, show_spinner="Captum's sensitivity_max for each method (each map 5 more times)…")
def sensitivities(model_id: str, key: str, _array: np.ndarray, target: int) -> dict[str, float]:
    side = min(_array.shape[1:])
    with model_cache.lock(model_id):
        model = model_cache.load_model(model_id)[0]
        return {m: faithfulness.sensitivity_of(
            lambda x, t, m=m: attribution.attribute(model, x, t, m, **dict(params(m, side))), _array, target)
            for m in METHODS}

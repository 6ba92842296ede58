"""Loaded models and what is derived from them, shared by every session (bounded caches keyed by model id)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import streamlit as st
import torch

from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import inspection, ood, pixel_model
from explorer.models import cost
from explorer.saved import registry
from explorer.saved.model_card import ModelCard
from explorer.ui import cached

T = TypeVar("T")


@st.cache_resource(max_entries=8, show_spinner="Loading the model…")
def load_model(model_id: str) -> tuple[torch.nn.Module, ModelCard]:
    """(PixelModel in eval mode, card) of a saved model; shared read-only by every session."""
    net, card = registry.load(model_id)
    model = pixel_model.wrap(net, card.normalisation)
    for p in model.parameters():
        p.requires_grad_(False)  # attributions need input gradients only
    return model, card


@st.cache_data(max_entries=64, show_spinner=False)
def model_cost(model_id: str) -> cost.Cost:
    """Parameters, MACs and feature-map numbers of one picture through the model (meta device)."""
    model, card = load_model(model_id)
    return cost.cost(model, card.input_size)


def within_budget(model_id: str, passes: float, advice: str) -> None:
    """Stop the page with a sentence when one request would need more than the server allows
    (`passes` forward passes of the model); `advice` says which setting makes it smaller."""
    try:
        cost.check_request(passes, model_cost(model_id), advice)
    except cost.TooCostly as exc:
        st.warning(f"⚠️ {exc}")
        st.stop()


def batch_size(model_id: str) -> int:
    """Pictures per batch whose feature maps fit limits.BATCH_BYTES (memory, and the CPU's caches)."""
    return cost.batch_size(model_cost(model_id))


@st.cache_resource(max_entries=16)
def lock(model_id: str) -> threading.RLock:
    """One lock per model: its modules are shared by every session, and Captum and the feature
    map capture put hooks on them for the length of a call, so one call at a time. A pass over a
    whole split holds it per batch (pixel_model.UNSHARED), so a prediction never waits for all of it."""
    return threading.RLock()


@st.cache_resource(max_entries=4, show_spinner="Preparing the model with random weights…")
def randomised_model(model_id: str, seed: int = 0) -> torch.nn.Module:
    from explorer.inspect import sanity

    with lock(model_id):  # not while another session's Captum call has its hooks on the model
        return sanity.randomised_copy(load_model(model_id)[0], seed)


def dataset_of(card: ModelCard) -> datasets.Dataset | None:
    """The whole dataset the model was trained on, when it is a built-in one on this machine."""
    name = card.dataset
    if name not in datasets.NAMES:
        return None
    try:
        ds = cached.dataset(name)
    except datasets.DatasetError:
        return None
    return ds if tuple(ds.image_shape) == card.input_size else None


@st.cache_resource(max_entries=8, show_spinner=False)
def test_split(model_id: str) -> datasets.Dataset | None:
    card = load_model(model_id)[1]
    ds = dataset_of(card)
    if ds is None:
        return None
    return datasets.split(ds, card.split or COURSE_SPLIT)[1]


@st.cache_data(max_entries=8, show_spinner="Classifying the test pictures…")
def test_outputs(model_id: str) -> ood.Outputs | None:
    """The logits and features of the model's test split, from one pass (the probabilities, the
    calibration, the out-of-distribution threshold all start from it)."""
    test = test_split(model_id)
    if test is None:
        return None
    return ood.outputs(load_model(model_id)[0], test.images, batch_size(model_id), lock(model_id))


@st.cache_data(max_entries=8, show_spinner=False)
def test_probabilities(model_id: str) -> np.ndarray | None:
    """(N_test, K) probabilities of the model on its test split."""
    out = test_outputs(model_id)
    return None if out is None else torch.softmax(torch.from_numpy(out.logits), 1).numpy()


@st.cache_data(max_entries=64, show_spinner=False)
def probabilities(model_id: str, input_key: str, _array: np.ndarray) -> np.ndarray:
    """(K,) class probabilities for one input (array passed unhashed, named by input_key)."""
    with lock(model_id):
        return pixel_model.probabilities(load_model(model_id)[0], _array[None])[0]


def version(model_id: str) -> tuple[str, str]:
    """A saved model as a cache key: its id and when it was saved (a model never changes under
    one id, but a deleted id restored from an export gets a new date)."""
    return model_id, load_model(model_id)[1].created


def shared(model_id: str, what: tuple, compute: Callable[[torch.nn.Module], T], locked: bool = True) -> T:
    """compute(model) once for the whole class per (model, what): under the model's lock, or
    (locked=False) for a pass over a split that takes the lock per batch itself."""

    def run() -> T:
        if not locked:
            return compute(load_model(model_id)[0])
        with lock(model_id):
            return compute(load_model(model_id)[0])

    return cached.shared_results().get((version(model_id), *what), run)


def layers(model_id: str) -> list[inspection.Layer]:
    """The layers with (C, H, W) outputs (a shape trace, ~50-300 ms: once per model, not per run)."""
    return shared(model_id, ("layers",), lambda m: inspection.layers(m, load_model(model_id)[1].input_size))


def feature_maps(model_id: str, input_key: str, array: np.ndarray, names: tuple[str, ...]) -> dict:
    """{layer: (C, H, W) maps} of one input (array, named by input_key) through the model."""
    return shared(model_id, ("feature_maps", input_key, names),
                  lambda m: inspection.feature_maps(m, pixel_model.batch(array), list(names)))


def top_k(model_id: str, layer: str, k: int) -> inspection.TopK:
    """The k dataset pictures that excite each channel of `layer` most: one batched pass over
    the model's dataset, once for the class."""
    card = load_model(model_id)[1]
    return shared(model_id, ("top_k", layer, k),
                  lambda m: inspection.top_activations(m, dataset_of(card).images, card.input_size, layer, k,
                                                       batch=batch_size(model_id), lock=lock(model_id)),
                  locked=False)

"""Cached results of the "can we trust it" pages, per saved model id (shared by the class):
the FGSM accuracy curve, attacked pictures, the test split's logits, calibration and the
out-of-distribution threshold."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import calibration, ood, pixel_model, robustness
from explorer.ui import model_cache


@st.cache_data(max_entries=16, show_spinner="Attacking every test picture at 8 values of ε…")
def fgsm_curve(model_id: str) -> robustness.Curve | None:
    """FGSM accuracy against epsilon on the model's test split (None when it is not here)."""
    test = model_cache.test_split(model_id)
    if test is None:
        return None
    return robustness.accuracy_curve(model_cache.load_model(model_id)[0], test.images, test.labels,
                                     batch=model_cache.batch_size(model_id), lock=model_cache.lock(model_id))


@st.cache_data(max_entries=64, show_spinner=False)
def attacked(model_id: str, input_key: str, _array: np.ndarray, kind: str, epsilon: float, target: int,
             targeted: bool, steps: int) -> robustness.Attack:
    with model_cache.lock(model_id):
        return robustness.attack(model_cache.load_model(model_id)[0], _array, target, epsilon, kind, targeted, steps)


def test_logits(model_id: str) -> np.ndarray | None:
    """(N_test, K) logits of the model on its test split."""
    out = model_cache.test_outputs(model_id)
    return None if out is None else out.logits


@st.cache_data(max_entries=64, show_spinner=False)
def logits(model_id: str, input_key: str, _array: np.ndarray) -> np.ndarray:
    """(K,) logits of one input."""
    with model_cache.lock(model_id), torch.inference_mode():
        return model_cache.load_model(model_id)[0](pixel_model.batch(_array))[0].numpy()


@st.cache_data(max_entries=8, show_spinner=False)  # the callers say it: the note's own line, the page's spinner
def gaussians(model_id: str) -> ood.Gaussians | None:
    """Class means and shared covariance of the training split's features (Mahalanobis score)."""
    card = model_cache.load_model(model_id)[1]
    ds = model_cache.dataset_of(card)
    if ds is None:
        return None
    train = datasets.split(ds, card.split or COURSE_SPLIT)[0]
    feats = ood.features(model_cache.load_model(model_id)[0], train.images, model_cache.batch_size(model_id),
                         model_cache.lock(model_id))
    return ood.fit(feats, train.labels, len(card.classes))


@st.cache_data(max_entries=8, show_spinner=False)
def test_scores(model_id: str, kind: str) -> np.ndarray | None:
    """(N_test,) out-of-distribution scores of the test split."""
    if kind in ood.FROM_LOGITS:
        logits_ = test_logits(model_id)
        return None if logits_ is None else ood.score(logits_, kind)
    out, g = model_cache.test_outputs(model_id), gaussians(model_id)
    if out is None or g is None:
        return None
    return ood.mahalanobis(g, out.features)  # a model without a linear layer raised in gaussians


# (model id, save date, score kind) whose threshold this process has computed: the note under a
# prediction then costs milliseconds, and draws at once instead of after the rest of the page.
_MEASURED: set[tuple[str, str, str]] = set()


def ood_threshold(model_id: str, kind: str = ood.DEFAULT) -> ood.Threshold | None:
    try:
        scores = test_scores(model_id, kind)
    finally:  # also a model without a linear layer (ValueError at once): nothing slow to wait for
        _MEASURED.add((*model_cache.version(model_id), kind))
    return None if scores is None else ood.threshold_of(scores, kind)


def threshold_measured(model_id: str, kind: str = ood.DEFAULT) -> bool:
    """Whether `ood_threshold` has run for this model and kind in this process (its statistics
    are then cached, unless evicted since)."""
    return (*model_cache.version(model_id), kind) in _MEASURED


@st.cache_data(max_entries=128, show_spinner=False)
def ood_value(model_id: str, input_key: str, _array: np.ndarray, kind: str = ood.DEFAULT) -> float:
    """The out-of-distribution score of one input."""
    if kind in ood.FROM_LOGITS:
        return float(ood.score(logits(model_id, input_key, _array)[None], kind)[0])
    g = gaussians(model_id)
    with model_cache.lock(model_id):
        return float(ood.mahalanobis(g, ood.features(model_cache.load_model(model_id)[0], _array[None]))[0])


def reliability(model_id: str, bins: int = 10) -> calibration.Reliability | None:
    test = model_cache.test_split(model_id)
    probs = model_cache.test_probabilities(model_id)
    return None if test is None or probs is None else calibration.reliability(probs, test.labels, bins)


def pixel_probabilities(model_id: str, arrays: np.ndarray) -> np.ndarray:
    with model_cache.lock(model_id):
        return pixel_model.probabilities(model_cache.load_model(model_id)[0], arrays)

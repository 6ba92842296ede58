"""Calibration and out-of-distribution scores against direct computations: scikit-learn's
calibration_curve, a hand-written ECE loop, torch's softmax and logsumexp on the model's logits."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.calibration import calibration_curve

from explorer.data import samples
from explorer.inspect import calibration, ood, pixel_model
from explorer.saved import registry
from tests.inspect_helpers import digits_split, save_digits_model


@pytest.fixture(scope="module")
def model():
    saved = save_digits_model(epochs=3, name="calibration test net")
    net, card = registry.load(saved.id)
    return pixel_model.wrap(net, card.normalisation).requires_grad_(False), card


def test_reliability_matches_sklearn_and_a_hand_written_ece(model):
    m, _ = model
    test = digits_split()[1]
    probs = pixel_model.probabilities(m, test.images)
    rel = calibration.reliability(probs, test.labels, bins=10)
    conf = probs.max(1)
    right = probs.argmax(1) == test.labels
    acc_sk, conf_sk = calibration_curve(right, conf, n_bins=10, strategy="uniform")
    keep = rel.counts > 0
    np.testing.assert_allclose(rel.accuracy[keep], acc_sk, atol=1e-9)
    np.testing.assert_allclose(rel.confidence[keep], conf_sk, atol=1e-6)
    ece = 0.0
    for lo, hi in zip(np.linspace(0, 1, 11)[:-1], np.linspace(0, 1, 11)[1:]):
        inside = (conf > lo) & (conf <= hi) if lo > 0 else (conf <= hi)
        if inside.any():
            ece += inside.mean() * abs(right[inside].mean() - conf[inside].mean())
    assert rel.ece == pytest.approx(ece, abs=1e-6)
    assert rel.counts.sum() == len(test.labels)
    assert rel.overall_accuracy == pytest.approx(right.mean())


def test_a_perfectly_calibrated_toy_has_zero_ece_and_an_overconfident_one_does_not():
    probs = np.array([[0.75, 0.25]] * 4)
    assert calibration.reliability(probs, np.array([0, 0, 0, 1])).ece == pytest.approx(0.0)
    bad = calibration.reliability(np.array([[0.99, 0.01]] * 4), np.array([0, 1, 1, 1]))
    assert bad.ece == pytest.approx(0.74) and bad.overconfident


def test_scores_are_softmax_max_and_logsumexp_of_the_model(model):
    m, _ = model
    test = digits_split()[1]
    with torch.no_grad():
        logits = m(torch.from_numpy(test.images[:50].copy()))
    np.testing.assert_allclose(ood.score(logits.numpy(), "msp"), torch.softmax(logits, 1).max(1).values.numpy(), atol=1e-6)
    np.testing.assert_allclose(ood.score(logits.numpy(), "energy"), torch.logsumexp(logits, 1).numpy(), atol=1e-5)
    with pytest.raises(ValueError):
        ood.score(logits.numpy(), "vibes")


def test_threshold_keeps_95_percent_of_the_test_pictures_and_flags_a_photo(model):
    m, card = model
    test = digits_split()[1]
    with torch.no_grad():
        logits = m(torch.from_numpy(test.images.copy())).numpy()
    for kind in ood.FROM_LOGITS:
        limit = ood.threshold(logits, kind)
        share = np.mean(ood.score(logits, kind) >= limit.value)
        assert 0.95 <= share <= 0.96 and limit.keep == pytest.approx(share)
    limit = ood.threshold(logits, "energy")
    # Below the test split's threshold the verdict says so (whether a given photo scores that
    # low depends on the net: energy and top-class probability often miss the app's photos,
    # which is why the feature distance is the default; test_mahalanobis_... flags them).
    assert not limit.looks_familiar(limit.value - 1.0) and limit.looks_familiar(limit.value + 1.0)
    text = ood.verdict(limit.value - 1.0, limit, "3", "a handwritten digit")
    assert "does not look like a handwritten digit" in text


def test_features_are_the_input_of_the_last_linear_layer_and_leave_no_hook(model):
    from explorer.inspect import attribution

    m, _ = model
    test = digits_split()[1]
    feats = ood.features(m, test.images[:20])
    body = torch.nn.Sequential(*list(m.net.children())[:-1]).eval()  # FastNet without its Linear
    with torch.no_grad():
        direct = body((torch.from_numpy(test.images[:20].copy()) - m.mean) / m.std)
    np.testing.assert_allclose(feats, direct.double().numpy(), atol=1e-5)
    assert attribution.hooks_left(m) == 0


def test_mahalanobis_is_scipys_distance_to_the_nearest_class(model):
    from scipy.spatial.distance import mahalanobis

    m, card = model
    train, test = digits_split()
    g = ood.fit(ood.features(m, train.images), train.labels, 10)
    f = ood.features(m, test.images[:5])
    got = ood.mahalanobis(g, f)
    for i in range(5):
        nearest = min(mahalanobis(f[i], g.means[k], g.precision) ** 2 for k in range(10))
        assert got[i] == pytest.approx(-nearest, rel=1e-6)
    # the app's photos are far from every digit: flagged by the threshold of the test split
    limit = ood.threshold_of(ood.mahalanobis(g, ood.features(m, test.images)), "mahalanobis")
    photos = np.stack([pixel_model.prepare(samples.load(n), card.input_size) for n in samples.PHOTOS])
    assert not any(limit.looks_familiar(s) for s in ood.mahalanobis(g, ood.features(m, photos)))


def test_the_reliability_diagram_draws_each_bins_confidence_across_its_bar():
    """Issue #14 screenshot pass: the mean confidence was a tick mark (a dot on the diagonal), and
    the tick's scale padding pushed the 100% bar above the chart's top."""
    from explorer.inspect import trust_charts

    edges = np.linspace(0, 1, 11)
    counts = np.array([0, 0, 3, 5, 5, 8, 10, 12, 20, 40])
    confidence = (edges[:-1] + edges[1:]) / 2
    accuracy = np.array([0, 0, 0.3, 0.4, 0.4, 0.6, 0.8, 0.8, 0.95, 1.0])
    spec = trust_charts.reliability(confidence, accuracy, counts, edges).to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert "tick" not in marks
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    assert (rule["encoding"]["x"]["field"], rule["encoding"]["x2"]["field"], rule["encoding"]["y"]["field"]) == (
        "low", "high", "confidence")


def test_the_calibration_sentence_blames_label_smoothing_only_when_the_model_was_trained_with_it():
    """The Does it know? page said "label smoothing, FastNet's default, tends to do that" under
    every underconfident model, also the course's CNN trained without it, and called a model
    whose confidence is 0.8 points under its accuracy underconfident."""
    def rel(confidence: float, accuracy: float) -> calibration.Reliability:
        z = np.zeros(1)
        return calibration.Reliability(np.array([0.0, 1.0]), z, z, z, 0.0, confidence, accuracy)

    assert "about as sure as it is right" in calibration.summary(rel(0.104, 0.111), 0.0)
    assert "overconfident" in calibration.summary(rel(0.95, 0.80), 0.2)
    smoothed = calibration.summary(rel(0.86, 0.98), 0.2)
    assert "underconfident" in smoothed and "Label smoothing (0.2 in its training)" in smoothed
    plain = calibration.summary(rel(0.86, 0.98), 0.0)
    assert "underconfident" in plain and "smoothing" not in plain


def test_a_cards_label_smoothing_is_read_only_when_it_is_a_share():
    from explorer.saved.model_card import ModelCard, Normalisation

    def card(config: dict) -> ModelCard:
        return ModelCard("m", "fastnet", {}, "digits", None, ("0", "1"), (1, 8, 8), Normalisation((0.5,), (0.25,)),
                         config=config)

    assert card({"label_smoothing": 0.2}).label_smoothing == 0.2
    for odd in ({}, {"label_smoothing": "0.2"}, {"label_smoothing": True}, {"label_smoothing": 7.0},
                {"label_smoothing": float("nan")}, {"label_smoothing": None}):
        assert card(odd).label_smoothing == 0.0

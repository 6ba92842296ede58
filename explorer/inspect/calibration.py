"""Does the model know when it doesn't know? Calibration of its probabilities on the test split.

A model is calibrated when, among the pictures it gives 80% confidence (the probability of its
top class), about 80% are right. The reliability diagram bins the test pictures by confidence
and shows each bin's share of right answers; the expected calibration error (ECE, Naeini et
al. 2015; Guo et al. 2017) is the pictures-weighted mean gap |accuracy - confidence| over bins.
Bins are those of sklearn.calibration.calibration_curve(strategy="uniform").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Reliability:
    """Per bin (B,): mean confidence, accuracy and count (0 where empty); edges (B + 1,)."""

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray
    ece: float
    mean_confidence: float
    overall_accuracy: float

    @property
    def overconfident(self) -> bool:
        """More sure than right on average."""
        return self.mean_confidence > self.overall_accuracy


CLOSE = 0.01  # a mean confidence within a point of the accuracy: neither over- nor underconfident


def summary(rel: Reliability, label_smoothing: float = 0.0) -> str:
    """One sentence on the mean confidence against the accuracy; names label smoothing as a
    likely cause of underconfidence only when the model was trained with it."""
    if abs(rel.mean_confidence - rel.overall_accuracy) < CLOSE:
        return "On average this model is about as sure as it is right (within one percentage point)."
    if rel.overconfident:
        return "This model is more sure than right on average (overconfident)."
    cause = (f" Label smoothing ({label_smoothing:g} in its training) tends to do that: it teaches the "
             "model never to put all its probability on one class." if label_smoothing > 0 else "")
    return "This model is less sure than it is right on average (underconfident)." + cause


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> Reliability:
    """probs (N, K) class probabilities, labels (N,) true classes."""
    probs = np.asarray(probs, np.float64)
    labels = np.asarray(labels)
    if probs.ndim != 2 or len(probs) != len(labels) or not len(labels):
        raise ValueError("reliability needs one row of probabilities per labelled picture")
    confidence = probs.max(1)
    right = (probs.argmax(1) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.searchsorted(edges[1:-1], confidence)  # sklearn's binning: an edge value goes left
    counts = np.bincount(which, minlength=bins)
    safe = np.maximum(counts, 1)
    conf = np.bincount(which, confidence, bins) / safe
    acc = np.bincount(which, right, bins) / safe
    ece = float(np.sum(counts / len(labels) * np.abs(acc - conf)))
    return Reliability(edges, conf, acc, counts, ece, float(confidence.mean()), float(right.mean()))

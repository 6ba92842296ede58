"""Do a model's first-layer filters act as edge detectors? Measured, not assumed.

A filter (summed over its input channels) is compared with an oriented brightness ramp, the
simplest edge detector (a 3x3 ramp is the Prewitt kernel): X[i, j] = j - c and Y[i, j] = i - c.
X and Y are orthogonal with equal norms, so the best-matching orientation and its cosine
similarity come in closed form:
    angle = atan2(<w, Y>, <w, X>),  cosine = sqrt(<w, X>^2 + <w, Y>^2) / (|w| |X|).
A filter counts as edge-like when that cosine is at least THRESHOLD. Random weights reach it
too, sometimes, so the count is compared with the same filters before training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLD = 0.6


@dataclass(frozen=True)
class EdgeScore:
    cosine: np.ndarray   # (out,) similarity with the best oriented ramp, in [0, 1]
    angle: np.ndarray    # (out,) degrees, direction in which brightness rises

    @property
    def edge_like(self) -> np.ndarray:
        return self.cosine >= THRESHOLD

    @property
    def count(self) -> int:
        return int(self.edge_like.sum())


def score(weights: np.ndarray) -> EdgeScore:
    """weights (out, in, k, k) -> cosine and angle per filter (channels summed)."""
    w = np.asarray(weights, np.float64).sum(axis=1)
    k = w.shape[-1]
    c = (k - 1) / 2
    ramp = np.arange(k) - c
    x, y = np.tile(ramp, (k, 1)), np.tile(ramp[:, None], (1, k))
    px, py = (w * x).sum((1, 2)), (w * y).sum((1, 2))
    norm = np.linalg.norm(w.reshape(len(w), -1), axis=1) * np.linalg.norm(x)
    cos = np.where(norm > 0, np.hypot(px, py) / np.where(norm > 0, norm, 1), 0.0)
    return EdgeScore(cos, np.degrees(np.arctan2(py, px)))

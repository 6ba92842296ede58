"""Out-of-distribution scores: does a picture look like the pictures the model was trained on?

Two classic scores from the model's logits, both higher for pictures like the training ones:
  msp: the maximum softmax probability (Hendrycks & Gimpel, 2017);
  energy: logsumexp of the logits, the negative free energy (Liu et al., 2020), which does not
          saturate at 100% the way a probability does.
The threshold is set on the test split: the score that `keep` of the test pictures (95%) reach.
A photo below it gets "this does not look like a hand sign" instead of a confident digit. The
price: 5% of real test pictures are flagged too, which the page says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

SCORES = {"msp": "top-class probability", "energy": "energy score (logsumexp of the logits)"}
KEEP = 0.95


def score(logits: np.ndarray, kind: str = "msp") -> np.ndarray:
    """(N, K) logits -> (N,) scores, higher = more like the training pictures."""
    t = torch.as_tensor(np.asarray(logits, np.float32))
    if kind == "msp":
        return torch.softmax(t, 1).amax(1).numpy()
    if kind == "energy":
        return torch.logsumexp(t, 1).numpy()
    raise ValueError(f"Unknown score {kind!r}; choose one of {', '.join(SCORES)}.")


@dataclass(frozen=True)
class Threshold:
    kind: str
    value: float
    keep: float  # the share of test pictures at or above the value
    test_scores: np.ndarray

    def looks_familiar(self, value: float) -> bool:
        return float(value) >= self.value

    def rank(self, value: float) -> float:
        """The share of test pictures that score below `value` (0: lower than all of them)."""
        return float(np.mean(self.test_scores < float(value)))


def threshold(test_logits: np.ndarray, kind: str = "msp", keep: float = KEEP) -> Threshold:
    """The score reached by `keep` of the test pictures (the (1 - keep) quantile, taken as a
    value of the test set itself so the share is exact up to ties)."""
    s = score(test_logits, kind)
    if not len(s):
        raise ValueError("There are no test pictures to set the threshold on.")
    k = int(np.floor((1.0 - keep) * len(s)))
    value = float(np.sort(s)[min(k, len(s) - 1)])
    return Threshold(kind, value, float(np.mean(s >= value)), s)


def verdict(value: float, limit: Threshold, predicted: str, what: str = "one of the training pictures") -> str:
    """One sentence for a student under a prediction; `what` names a training picture ("a hand
    sign")."""
    where = f"{SCORES[limit.kind]} {value:.3g}, threshold {limit.value:.3g}"
    if limit.looks_familiar(value):
        return f"✅ This looks like {what} ({where}), so the answer “{predicted}” is worth reading."
    return (f"⚠️ This does not look like {what} ({where}: only {limit.rank(value):.0%} of the test "
            f"pictures score lower). Take “{predicted}” as a guess, not an answer.")

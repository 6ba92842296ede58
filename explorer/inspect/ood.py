"""Out-of-distribution scores: does a picture look like the pictures the model was trained on?

Three classic scores, all higher for pictures like the training ones:
  msp: the maximum softmax probability (Hendrycks & Gimpel, 2017);
  energy: logsumexp of the logits, the negative free energy (Liu et al., 2020), which does not
          saturate at 100% the way a probability does;
  mahalanobis: minus the squared Mahalanobis distance of the picture's features (the input of
          the last linear layer) to the nearest class mean of the TRAINING pictures' features,
          with one shared covariance (Lee et al., 2018). The two above only see the logits, and
          a photo of a temple can get confident logits; its features are far from every hand.
The threshold is set on the test split: the score that `keep` of the test pictures (95%) reach.
A photo below it gets "this does not look like a hand sign" instead of a confident digit. The
price: 5% of real test pictures are flagged too, which the page says.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from explorer.inspect.pixel_model import UNSHARED

SCORES = {"msp": "top-class probability", "energy": "energy score (logsumexp of the logits)",
          "mahalanobis": "feature distance score"}
FROM_LOGITS = ("msp", "energy")
DEFAULT = "mahalanobis"  # the one that flags a temple photo for the default net (bench/README.md)
KEEP = 0.95


def score(logits: np.ndarray, kind: str = "msp") -> np.ndarray:
    """(N, K) logits -> (N,) scores, higher = more like the training pictures (msp, energy)."""
    t = torch.as_tensor(np.asarray(logits, np.float32))
    if kind == "msp":
        return torch.softmax(t, 1).amax(1).numpy()
    if kind == "energy":
        return torch.logsumexp(t, 1).numpy()
    raise ValueError(f"Unknown score {kind!r} for logits; choose one of {', '.join(FROM_LOGITS)}.")


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
    return threshold_of(score(test_logits, kind), kind, keep)


def threshold_of(test_scores: np.ndarray, kind: str, keep: float = KEEP) -> Threshold:
    """threshold() for scores already computed (the Mahalanobis score's come from features)."""
    s = np.asarray(test_scores, np.float64)
    if not len(s):
        raise ValueError("There are no test pictures to set the threshold on.")
    k = int(np.floor((1.0 - keep) * len(s)))
    value = float(np.sort(s)[min(k, len(s) - 1)])
    return Threshold(kind, value, float(np.mean(s >= value)), s)


# ---- features and the Mahalanobis score ----------------------------------------------------

def last_linear(model: nn.Module) -> nn.Linear:
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("This model has no linear layer, so there are no features to compare.")
    return linears[-1]


@dataclass(frozen=True)
class Outputs:
    """One pass over N pictures: the logits (N, K) float32 and, when the model has a linear layer,
    the input of its last one (N, D) float64 (the features of the Mahalanobis score), else None."""

    logits: np.ndarray
    features: np.ndarray | None


@torch.inference_mode()
def outputs(model: nn.Module, arrays: np.ndarray, size: int = 256,
            lock: AbstractContextManager = UNSHARED) -> Outputs:
    """The logits and the features of pictures (N, C, H, W) in [0, 1] from the same forward
    passes (the test split's probabilities, logits and scores need one pass, not three). A
    forward pre-hook collects the features, on the model only while one batch runs under `lock`
    (see pixel_model.UNSHARED): other sessions' passes in between never meet it."""
    try:
        layer = last_linear(model)
    except ValueError:  # logits only
        layer = None
    logits: list[torch.Tensor] = []
    feats: list[torch.Tensor] = []
    for i in range(0, len(arrays), size):
        x = torch.from_numpy(np.array(arrays[i:i + size], np.float32))
        with lock:
            hook = None if layer is None else layer.register_forward_pre_hook(
                lambda _m, inp: feats.append(inp[0].detach().flatten(1)))
            try:
                logits.append(model(x))
            finally:
                if hook is not None:
                    hook.remove()
    return Outputs(torch.cat(logits).numpy(), None if layer is None else torch.cat(feats).double().numpy())


def features(model: nn.Module, arrays: np.ndarray, size: int = 256,
             lock: AbstractContextManager = UNSHARED) -> np.ndarray:
    """(N, D) float64: the input of the model's last linear layer for pictures (N, C, H, W)
    in [0, 1] (`outputs`); ValueError at once for a model without one."""
    last_linear(model)
    return outputs(model, arrays, size, lock).features


@dataclass(frozen=True)
class Gaussians:
    """Class means (K, D) of the training features and the precision (D, D) of their shared
    covariance."""

    means: np.ndarray
    precision: np.ndarray


def fit(train_features: np.ndarray, labels: np.ndarray, classes: int) -> Gaussians:
    f = np.asarray(train_features, np.float64)
    labels = np.asarray(labels)
    means = np.stack([f[labels == k].mean(0) if np.any(labels == k) else f.mean(0) for k in range(classes)])
    centred = f - means[labels]
    cov = centred.T @ centred / max(len(f), 1)
    # a small ridge: ReLU features can be constant (dead channels), which makes cov singular
    cov += 1e-6 * max(float(np.trace(cov)) / len(cov), 1e-12) * np.eye(len(cov))
    return Gaussians(means, np.linalg.inv(cov))


def mahalanobis(g: Gaussians, feats: np.ndarray) -> np.ndarray:
    """(N,) minus the squared Mahalanobis distance to the nearest class mean.

    One matrix product per class (BLAS): an einsum over (N, K, D) x (D, D) ran as plain loops,
    4.6-6.1 s for the course CNN's 1,024 features of 413 test pictures (bench/bench_split_passes.py)."""
    f = np.asarray(feats, np.float64)
    nearest = np.full(len(f), np.inf)
    for mean in g.means:
        d = f - mean
        nearest = np.minimum(nearest, ((d @ g.precision) * d).sum(1))
    return -nearest


def verdict(value: float, limit: Threshold, predicted: str, what: str = "one of the training pictures") -> str:
    """One sentence for a student under a prediction; `what` names a training picture ("a hand
    sign")."""
    where = f"{SCORES[limit.kind]} {value:.3g}, threshold {limit.value:.3g}"
    if limit.looks_familiar(value):
        return f"✅ This looks like {what} ({where}), so the answer “{predicted}” is worth reading."
    rank = limit.rank(value)
    below = "lower than every test picture" if rank == 0 else f"only {rank:.0%} of the test pictures score lower"
    return (f"⚠️ This does not look like {what} ({where}: {below}). Take “{predicted}” as a guess, "
            "not an answer.")

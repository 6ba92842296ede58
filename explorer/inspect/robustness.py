"""Adversarial pictures with Captum's `captum.robust`: FGSM and PGD, and accuracy against epsilon.

Pictures live in [0, 1] (a PixelModel normalises inside), so epsilon is in grey levels: 0.05 is
5% of the way from black to white, added to or taken from every pixel. The attacks use the
cross-entropy of the model's logits as their loss (Captum's default, -log(output), expects
probabilities) and clamp the result to [0, 1], so a fooled picture is still a picture.

Untargeted: x' = clamp(x + eps * sign(d loss(x, true class) / dx)), pushing the true class down.
Targeted ("make it say 7"): x' = clamp(x - eps * sign(d loss(x, 7) / dx)), pulling 7 up.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from explorer.inspect import captum_loader  # noqa: F401  # isort: skip - before Captum: without IPython
from captum.robust import FGSM, PGD
from torch import nn

from explorer.inspect.pixel_model import UNSHARED

# The curve's epsilons: 0 (the clean accuracy) up to 0.3, where a picture's grey levels can move
# by almost a third of their range.
EPSILONS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)
ATTACKS = ("fgsm", "pgd")
LOWER, UPPER = 0.0, 1.0


def cross_entropy(logits: torch.Tensor, target) -> torch.Tensor:
    """Per-picture loss (N,): Captum takes one gradient per picture from it."""
    target = torch.as_tensor(target, device=logits.device).long().expand(logits.shape[0])
    return F.cross_entropy(logits, target, reduction="none")


def fgsm(model: nn.Module, x: torch.Tensor, target, epsilon: float, targeted: bool = False) -> torch.Tensor:
    """(N, C, H, W) fooled pictures in [0, 1]; target is the true class (untargeted) or the
    class to reach (targeted), an int or one per picture."""
    attack = FGSM(model, loss_func=cross_entropy, lower_bound=LOWER, upper_bound=UPPER)
    with _quiet():
        return attack.perturb(x.detach(), float(epsilon), _targets(target, x), targeted=targeted).detach()


def step_size(epsilon: float, steps: int) -> float:
    """PGD's step: 2.5 * eps / steps (Madry et al.), so the walk can reach the edge of the ball
    and move along it."""
    return 2.5 * float(epsilon) / max(int(steps), 1)


def pgd(model: nn.Module, x: torch.Tensor, target, epsilon: float, steps: int = 10,
        targeted: bool = False, step: float | None = None) -> torch.Tensor:
    """(N, C, H, W) pictures after `steps` FGSM steps, each pulled back to within epsilon of x
    (L-infinity) and to [0, 1]. No random start: the same picture gives the same result."""
    attack = PGD(model, loss_func=cross_entropy, lower_bound=LOWER, upper_bound=UPPER)
    size = step_size(epsilon, steps) if step is None else float(step)
    with _quiet():
        return attack.perturb(x.detach(), float(epsilon), size, int(steps), _targets(target, x),
                              targeted=targeted).detach()


@contextlib.contextmanager
def _quiet():
    """Captum warns on every call (every PGD step) that the input did not require gradients
    and that it set the flag itself; that is what we want, so the warning is noise."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Input Tensor .* did not already require gradients")
        yield


def _targets(target, x: torch.Tensor) -> torch.Tensor:
    t = torch.as_tensor(target).long().reshape(-1)
    return t.expand(x.shape[0]) if t.numel() == 1 else t


@dataclass(frozen=True)
class Attack:
    """One attacked picture: arrays (C, H, W) in [0, 1], probabilities (K,)."""

    kind: str  # "fgsm" or "pgd"
    epsilon: float
    target: int  # the true class (untargeted) or the class to reach (targeted)
    targeted: bool
    original: np.ndarray
    fooled: np.ndarray
    before: np.ndarray  # probabilities on the original
    after: np.ndarray  # probabilities on the fooled picture

    @property
    def perturbation(self) -> np.ndarray:
        """fooled - original, (C, H, W), each value within [-epsilon, epsilon]."""
        return self.fooled - self.original

    @property
    def succeeded(self) -> bool:
        """Targeted: the model now says the target. Untargeted: it no longer says the class."""
        said = int(self.after.argmax())
        return said == self.target if self.targeted else said != self.target


def attack(model: nn.Module, array: np.ndarray, target: int, epsilon: float, kind: str = "fgsm",
           targeted: bool = False, steps: int = 10) -> Attack:
    """Attack one picture (C, H, W) in [0, 1] and classify it before and after."""
    if kind not in ATTACKS:
        raise ValueError(f"Unknown attack {kind!r}; choose one of {', '.join(ATTACKS)}.")
    x = torch.from_numpy(np.array(array, np.float32))[None]
    if kind == "fgsm":
        out = fgsm(model, x, target, epsilon, targeted)
    else:
        out = pgd(model, x, target, epsilon, steps, targeted)
    with torch.inference_mode():
        probs = F.softmax(model(torch.cat([x, out])), 1).numpy()
    return Attack(kind, float(epsilon), int(target), bool(targeted), x[0].numpy(), out[0].numpy(),
                  probs[0], probs[1])


@dataclass(frozen=True)
class Curve:
    """Accuracy on a set of pictures for each epsilon (FGSM, untargeted, true labels)."""

    epsilons: tuple[float, ...]
    accuracies: tuple[float, ...]
    pictures: int


def rebound(curve: Curve) -> tuple[int, int] | None:
    """(index of the lowest accuracy, index of the highest one after it) when a larger epsilon
    leaves at least two more pictures right than the lowest point did; None while the curve only
    falls. FGSM's single step can overshoot: a large one may land back on the right class."""
    low = int(np.argmin(curve.accuracies))
    later = curve.accuracies[low + 1:]
    if not later:
        return None
    high = low + 1 + int(np.argmax(later))
    gained = (curve.accuracies[high] - curve.accuracies[low]) * curve.pictures
    return (low, high) if gained >= 2 - 1e-9 else None


def accuracy_curve(model: nn.Module, images: np.ndarray, labels: np.ndarray,
                   epsilons=EPSILONS, batch: int = 256, lock: contextlib.AbstractContextManager = UNSHARED) -> Curve:
    """FGSM accuracy for each epsilon over images (N, C, H, W) in [0, 1].

    FGSM's step only depends on the sign of the loss gradient at the clean picture, which does
    not depend on epsilon: the gradient is taken once per batch (Captum's FGSM with an
    unbounded epsilon of 1 returns x + sign(grad) where the gradient is not ~0), then each
    epsilon costs one forward pass. tests/test_robustness.py checks every point against a
    call of captum.robust.FGSM with that epsilon. `lock`: held per batch (pixel_model.UNSHARED).
    """
    correct = np.zeros(len(epsilons), np.int64)
    y_all = torch.as_tensor(np.asarray(labels)).long()
    unbounded = FGSM(model, loss_func=cross_entropy)
    for i in range(0, len(images), batch):
        x = torch.from_numpy(np.array(images[i:i + batch], np.float32))
        y = y_all[i:i + batch]
        with lock:
            with _quiet():
                direction = torch.round(unbounded.perturb(x, 1.0, y).detach() - x)  # -1, 0 or +1
            with torch.inference_mode():
                for k, eps in enumerate(epsilons):
                    fooled = torch.clamp(x + float(eps) * direction, LOWER, UPPER)
                    correct[k] += int((model(fooled).argmax(1) == y).sum())
    n = max(len(images), 1)
    return Curve(tuple(float(e) for e in epsilons), tuple(float(c / n) for c in correct), len(images))

"""Which explanation is faithful? Deletion and insertion curves (Petsiuk et al., 2018, "RISE"),
and Captum's infidelity and sensitivity_max.

Deletion: blank the pixels in the map's order of importance (most important first) and follow
the class probability; a faithful map makes it fall fast, so the AREA under the curve is small.
Insertion: start from a blank picture and put the pixels back in the same order; a faithful map
makes the probability rise fast, so the area is large. A pixel is one position (all channels);
"blank" is black (0), the baseline of Integrated Gradients and Occlusion. Ties in a map (Grad-CAM
and Occlusion have flat patches) are broken at random, with a fixed seed.

Two baselines a method must beat: a random order of the pixels, and the map of the same method
on the model with random weights (explorer/inspect/sanity.py), used to order the TRAINED
model's pixels: a map that depends on what the model learned must do better than both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from explorer import random_state

from explorer.inspect import captum_loader  # noqa: F401  # isort: skip - before Captum: without IPython
from captum.metrics import infidelity, sensitivity_max
from torch import nn

from explorer.inspect import attribution

STEPS = 20  # the curve has STEPS + 1 points, 0% to 100% of the pixels in 5% steps
MODES = ("deletion", "insertion")


def fractions(steps: int = STEPS) -> np.ndarray:
    """(steps + 1,) shares of the pixels, 0 to 1."""
    return np.linspace(0.0, 1.0, int(steps) + 1)


def ranking(amap: np.ndarray, seed: int = 0) -> np.ndarray:
    """(H * W,) flat pixel indices, the highest map value first; equal values in random order."""
    v = np.asarray(amap, np.float64).ravel()
    tie = np.random.default_rng(seed).random(v.size)
    return np.lexsort((tie, -v))


def random_ranking(pixels: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).permutation(int(pixels))


BLANKS = {"black": "black (0)", "blurred": "a blurred copy of the picture"}


def blank(array: np.ndarray, kind: str = "black") -> np.ndarray | float:
    """What a removed pixel becomes: black (0), or the pixel of a blurred copy (Gaussian,
    sigma = a tenth of the picture's side), which removes the detail but keeps the brightness,
    so a hand on a bright background is not judged by how much black it can take (RISE used
    a blurred picture for insertion for that reason)."""
    if kind == "black":
        return 0.0
    if kind == "blurred":
        from scipy.ndimage import gaussian_filter

        sigma = max(min(array.shape[1:]) / 10.0, 0.5)
        return np.stack([gaussian_filter(np.asarray(c, np.float32), sigma, mode="nearest") for c in array])
    raise ValueError(f"blank must be one of {', '.join(BLANKS)}, not {kind!r}")


def pictures(array: np.ndarray, order: np.ndarray, mode: str, steps: int = STEPS,
             baseline: float | np.ndarray = 0.0) -> np.ndarray:
    """(steps + 1, C, H, W): the picture with the first k of `order` blanked (deletion) or
    with only them shown over a blank picture (insertion), k = round(share * H * W).
    baseline: a value, or a (C, H, W) picture (blank(array, "blurred"))."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    _, h, w = array.shape
    n = h * w
    counts = np.rint(fractions(steps) * n).astype(int)
    # rank[p] = position of pixel p in the order; pixel p is "chosen" at step s when rank < k_s
    rank = np.empty(n, np.int64)
    rank[np.asarray(order)] = np.arange(n)
    chosen = rank[None, :] < counts[:, None]  # (S, n)
    chosen = chosen.reshape(len(counts), 1, h, w)
    flat = np.asarray(array, np.float32)[None]
    empty = np.asarray(baseline, np.float32)
    out = np.where(chosen, empty, flat) if mode == "deletion" else np.where(chosen, flat, empty)
    return out.astype(np.float32)


def area(probabilities: np.ndarray, steps: int = STEPS) -> float:
    """Area under a curve over [0, 1] (trapezoids): the mean probability along the way."""
    p = np.asarray(probabilities, np.float64)
    return float(np.sum((p[1:] + p[:-1]) / 2) / (len(p) - 1))


@dataclass(frozen=True)
class PixelCurves:
    """The class probability along deletion and insertion, (steps + 1,) each."""

    deletion: np.ndarray
    insertion: np.ndarray

    @property
    def deletion_area(self) -> float:
        return area(self.deletion)

    @property
    def insertion_area(self) -> float:
        return area(self.insertion)

    @property
    def score(self) -> float:
        """insertion area - deletion area: higher = more faithful (one number to rank by)."""
        return self.insertion_area - self.deletion_area


@torch.inference_mode()
def _probabilities(model: nn.Module, batch: np.ndarray, target: int, size: int = 512) -> np.ndarray:
    out = [F.softmax(model(torch.from_numpy(batch[i:i + size])), 1)[:, target]
           for i in range(0, len(batch), size)]
    return torch.cat(out).numpy()


def curves(model: nn.Module, array: np.ndarray, target: int, orders: dict[str, np.ndarray],
           steps: int = STEPS, baseline: float | np.ndarray = 0.0) -> dict[str, PixelCurves]:
    """Deletion and insertion curves of class `target` for each named pixel order, all
    pictures in one batch of forward passes. array: (C, H, W) in [0, 1]."""
    names = list(orders)
    stack = np.concatenate([pictures(array, orders[name], mode, steps, baseline)
                            for name in names for mode in MODES])
    probs = _probabilities(model, stack, int(target)).reshape(len(names), 2, steps + 1)
    return {name: PixelCurves(probs[i, 0], probs[i, 1]) for i, name in enumerate(names)}


# ---- Captum's metrics -----------------------------------------------------------------------

NOISE = 0.05  # infidelity's perturbations: Gaussian noise with this std on the [0, 1] pixels
RADIUS = 0.02  # sensitivity_max's L-infinity ball (Captum's default)


def as_input_attribution(amap: np.ndarray, channels: int) -> torch.Tensor:
    """An (H, W) map as a (1, C, H, W) attribution whose channel sum is the map (the way the
    maps were reduced from Captum's output)."""
    t = torch.from_numpy(np.array(amap, np.float32))  # a copy: shared maps are read-only
    return (t / channels)[None, None].expand(1, channels, *t.shape).contiguous()


def noise_perturbation(seed: int = 0, std: float = NOISE):
    """infidelity's perturb_func: (perturbation I, inputs - I) with I ~ N(0, std), reproducible."""
    gen = torch.Generator().manual_seed(seed)

    def perturb(inputs: torch.Tensor):
        noise = torch.randn(inputs.shape, generator=gen) * std
        return noise, inputs - noise

    return perturb


def infidelity_of(model: nn.Module, array: np.ndarray, target: int, amap: np.ndarray,
                  samples: int = 32, seed: int = 0) -> float:
    """captum.metrics.infidelity with normalize=True (the map is rescaled by its best factor,
    so maps of different units compare): the mean squared gap between the map's predicted
    change of P(target) under small noise and the real change. Lower = more faithful."""
    x = torch.from_numpy(np.array(array, np.float32))[None]
    attr = as_input_attribution(amap, x.shape[1])
    with torch.no_grad():
        value = infidelity(attribution.Probabilities(model), noise_perturbation(seed), x, attr, target=int(target),
                           n_perturb_samples=int(samples), normalize=True)
    return float(value[0])


def sensitivity_of(explain, array: np.ndarray, target: int, samples: int = 5, seed: int = 0,
                   radius: float = RADIUS) -> float:
    """captum.metrics.sensitivity_max: the largest relative change of the map (Frobenius norm)
    when the picture moves by at most `radius` per pixel. explain(x (1, C, H, W), target) ->
    (H, W) map. Lower = steadier."""
    x = torch.from_numpy(np.array(array, np.float32))[None]
    channels = x.shape[1]

    def explanation(inputs, target):
        # Captum passes the clean picture as a 1-tuple and then expects a tuple back (a bare
        # tensor there is iterated over its batch and the norms come out wrong)
        wrapped = isinstance(inputs, tuple)
        if wrapped:
            (inputs,) = inputs
        targets = torch.as_tensor(target).reshape(-1).expand(len(inputs))
        out = torch.cat([as_input_attribution(explain(inputs[i:i + 1], int(targets[i])), channels)
                         for i in range(len(inputs))])
        return (out,) if wrapped else out

    with random_state.seeded(seed):  # Captum draws the perturbations from torch's global generator
        value = sensitivity_max(explanation, x, perturb_radius=radius, n_perturb_samples=int(samples),
                                target=int(target))
    return float(value[0])

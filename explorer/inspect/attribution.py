"""Captum wrappers: one call per method, an (H, W) map out.

`attribute(model, x, target, method, **params)` runs exactly the Captum call a student would
write (same class, same arguments) and reduces its (1, C, H, W) result to one (H, W) map the
way `captum.attr.visualization.visualize_image_attr` does: the SUM over channels. Occlusion is
the one exception: its windows span every channel, so every channel holds the same value and
the map is their MEAN, i.e. the drop in the target class probability itself. It is also the one
method not run through Captum's class: explorer/inspect/occlusion.py computes the same result
(tested equal to `captum_occlusion`, the plain call) several times faster, since at stride 1 it
takes thousands of forward passes.

Captum removes every hook it registers in a `finally`; `hooks_left(model)` lets tests and
benchmarks check that nothing stays behind.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from explorer import random_state

from explorer.inspect import captum_loader  # noqa: F401  # isort: skip - before Captum: without IPython
from captum.attr import (
    GuidedBackprop,
    GuidedGradCam,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    NoiseTunnel,
    Occlusion,
    Saliency,
)
from torch import nn

from explorer.inspect import occlusion
from explorer.train import device

# One Captum call at a time per process: each one already uses every core torch is given, so
# sessions' calls running side by side only share the cores and all finish late. Measured at 60
# students over two processes (bench/README.md, issue 16): Saliency's next picture p95 0.87 s
# one at a time, 1.8-3.2 s side by side (three runs). Layer tables do not wait (models/summary.py).
ONE_AT_A_TIME = threading.RLock()


@dataclass(frozen=True)
class Method:
    title: str
    captum: str  # the Captum class(es) it calls
    explains: str  # one sentence for students


METHODS: dict[str, Method] = {
    "saliency": Method("Saliency", "Saliency",
                       "How much each pixel's change would move the class score (|gradient|)."),
    "integrated_gradients": Method(
        "Integrated Gradients", "IntegratedGradients",
        "Gradients averaged along a path from a black picture to this one, times the difference."),
    "smoothgrad": Method("SmoothGrad", "NoiseTunnel(Saliency)",
                         "Saliency averaged over noisy copies of the picture: less speckle."),
    "guided_backprop": Method("Guided Backprop", "GuidedBackprop",
                              "Gradients where every ReLU also blocks negative gradients: sharp edges."),
    "grad_cam": Method("Grad-CAM", "LayerGradCam + LayerAttribution.interpolate",
                       "Which regions the last convolution's channels that vote for the class look at."),
    "guided_grad_cam": Method("Guided Grad-CAM", "GuidedGradCam",
                              "Guided Backprop masked by Grad-CAM: sharp and class-specific."),
    "occlusion": Method("Occlusion", "Occlusion on softmax probabilities",
                        "How much the class probability drops when a patch is covered."),
}

SMOOTHGRAD_SEED = 0  # where SmoothGrad's noise starts, on the page and in "Show the code"

HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


def last_conv(model: nn.Module) -> nn.Conv2d:
    """The last nn.Conv2d in registration order (Grad-CAM's default layer)."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError("This model has no convolution layer, so Grad-CAM has nothing to look at.")
    return convs[-1]


class Probabilities(nn.Module):
    """softmax(model(x)): occlusion measures the drop in the class PROBABILITY, not the logit."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.softmax(self.model(x), dim=1)


def pair(v) -> tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))


def occlusion_axis(n: int, window: int, stride: int) -> tuple[int, int]:
    """(full, partial) window positions along one axis. `full` is the output-size formula of the
    Learn pages, floor((n - k) / s) + 1 (ValueError with the numbers when the window does not
    fit); when windows leave pixels at the far edge (the remainder of the division), Captum
    slides one more, partial window there, so partial is 0 or 1."""
    from explorer.learn import geometry

    fit = geometry.fit(n, window, stride)
    return fit.size, int(fit.dropped > 0)


def occlusion_positions(height: int, width: int, window, stride) -> tuple[int, int]:
    """(rows, cols) of positions Captum's Occlusion evaluates (full plus partial windows)."""
    (wh, ww), (sh, sw) = pair(window), pair(stride)
    return sum(occlusion_axis(height, wh, sh)), sum(occlusion_axis(width, ww, sw))


def passes(method: str, params: dict | None = None, positions: int = 0) -> float:
    """Forward-pass equivalents of one attribution (a backward pass costs about two forwards):
    what the server's per-request bound counts. `positions`: occlusion's covered copies."""
    p = params or {}
    if method == "occlusion":
        return positions + 1
    if method == "integrated_gradients":
        return 3 * p.get("n_steps", 50)
    if method == "smoothgrad":
        return 3 * p.get("nt_samples", 20)
    return 6 if method == "guided_grad_cam" else 3


def memory_params(method: str, batch: int) -> dict:
    """Captum's batching options so that at most `batch` pictures go through the model at once
    (its defaults run every step, sample or covered copy in one batch: gigabytes for a big model)."""
    return {"integrated_gradients": {"internal_batch_size": batch},
            "smoothgrad": {"nt_samples_batch_size": batch},
            "occlusion": {"perturbations_per_eval": min(256, batch)}}.get(method, {})


def key_patch(drop: np.ndarray, window: int, stride: int) -> tuple[int, int]:
    """(row, col) of the top-left corner of the occlusion window that lowers the class most.

    drop: (H, W) occlusion map (Captum spreads each window's drop over its pixels); the
    window placed on the stride grid through the map's maximum, kept inside the picture.
    """
    height, width = drop.shape
    r, q = np.unravel_index(int(np.argmax(drop)), drop.shape)
    return (min(max(0, (r // stride) * stride), height - window),
            min(max(0, (q // stride) * stride), width - window))


def attribute(model: nn.Module, x: torch.Tensor, target: int, method: str, *,
              layer: nn.Module | None = None, **params) -> np.ndarray:
    """(H, W) float32 attribution of class `target` for x (1, C, H, W).

    params go to Captum unchanged, with these defaults:
      saliency: abs=True; integrated_gradients: baselines=0.0, n_steps=50;
      smoothgrad: nt_samples=20, stdevs=0.15 (plus Saliency's abs=True);
      grad_cam: relu_attributions=True, interpolate_mode="bilinear" (upsampling to H x W);
      guided_grad_cam: interpolate_mode="nearest";
      occlusion: window=8, stride=4 (int or (h, w); the window spans all channels),
                 baseline=0.0, perturbations_per_eval=256.
    grad_cam / guided_grad_cam use `layer` (default: the last convolution).
    """
    if method not in METHODS:
        raise ValueError(f"Unknown attribution method {method!r}; choose one of {', '.join(METHODS)}.")
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"x must be one picture (1, C, H, W), not {tuple(x.shape)}.")
    x = x.to(device.of_model(model))  # a picture from the CPU for a model on a GPU (the live camera)
    if method != "occlusion":  # gradient methods: say so up front rather than let Captum warn
        x = x.detach().requires_grad_(True)
    with ONE_AT_A_TIME, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU")  # every call
        attr = _captum(model, x, int(target), method, layer, dict(params))
    attr = attr.detach()[0]
    reduced = attr.mean(0) if method == "occlusion" else attr.sum(0)
    return reduced.float().cpu().numpy()


def _captum(model, x, target, method, layer, p) -> torch.Tensor:
    if method == "saliency":
        return Saliency(model).attribute(x, target=target, **{"abs": True, **p})
    if method == "integrated_gradients":
        return IntegratedGradients(model).attribute(x, target=target, **{"baselines": 0.0, "n_steps": 50, **p})
    if method == "smoothgrad":
        # Its noise comes from torch's global generator. Seeded, the same picture and settings give
        # the same map in every process (each laptop of a class behind HAProxy), on every visit and
        # in the page's script, which seeds 0 too.
        with random_state.seeded(SMOOTHGRAD_SEED):
            return NoiseTunnel(Saliency(model)).attribute(
                x, nt_type="smoothgrad", target=target, **{"nt_samples": 20, "stdevs": 0.15, **p})
    if method == "guided_backprop":
        return GuidedBackprop(model).attribute(x, target=target, **p)
    layer = layer if layer is not None else (last_conv(model) if method != "occlusion" else None)
    if method == "grad_cam":
        mode = p.pop("interpolate_mode", "bilinear")
        cam = LayerGradCam(model, layer).attribute(x, target=target, **{"relu_attributions": True, **p})
        return LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), interpolate_mode=mode)
    if method == "guided_grad_cam":
        return GuidedGradCam(model, layer).attribute(x, target=target, **{"interpolate_mode": "nearest", **p})
    return _occlusion(model, x, target, **p)


def _occlusion(model, x, target, window=8, stride=4, baseline=0.0, perturbations_per_eval=256):
    (wh, ww), (sh, sw) = pair(window), pair(stride)
    occlusion_positions(x.shape[2], x.shape[3], (wh, ww), (sh, sw))  # a clear error if it does not fit
    return occlusion.occlusion_map(model, x, target, (wh, ww), (sh, sw), float(baseline), int(perturbations_per_eval))


def captum_occlusion(model, x, target, window=8, stride=4, baseline=0.0, perturbations_per_eval=256) -> torch.Tensor:
    """The plain Captum call that occlusion_map reproduces (the tests' and benchmark's reference):
    (1, C, H, W), every channel holding the same map."""
    (wh, ww), (sh, sw) = pair(window), pair(stride)
    c = x.shape[1]
    return Occlusion(Probabilities(model)).attribute(
        x, sliding_window_shapes=(c, wh, ww), strides=(c, sh, sw), baselines=float(baseline),
        target=target, perturbations_per_eval=int(perturbations_per_eval))


def hooks_left(model: nn.Module) -> int:
    """How many forward/backward hooks are registered on the model's modules (0 after Captum)."""
    return sum(len(getattr(m, d, {}) or {}) for m in model.modules() for d in HOOK_DICTS)

"""FGSM examples for adversarial training (Goodfellow et al., 2015), on normalised batches.

The training loop works on normalised tensors (x - mean) / std, while epsilon is meant in
pixels in [0, 1], the space the Inspect pages attack in. One pixel step of eps is eps / std in
normalised units, and the picture's [0, 1] bounds become [(0 - mean) / std, (1 - mean) / std].
So the example made here, mapped back to pixels, is exactly captum.robust.FGSM's on the
PixelModel (tests/test_adversarial_training.py checks that).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

ZERO_GRADIENT = 1e-6  # as Captum's FGSM: a pixel whose gradient is about 0 is left alone


def fgsm_batch(model: nn.Module, xb: torch.Tensor, yb: torch.Tensor, epsilon: float,
               mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) normalised batch -> its FGSM examples (untargeted, true labels), detached.
    mean, std: (1, C, 1, 1). The model's parameters get no gradient from this."""
    x = xb.detach().requires_grad_(True)
    loss = F.cross_entropy(model(x), yb, reduction="sum")
    (grad,) = torch.autograd.grad(loss, x)
    # d loss / d normalised = (d loss / d pixel) * std: Captum's threshold on the pixel gradient
    step = torch.where(grad.abs() > ZERO_GRADIENT * std, torch.sign(grad), torch.zeros_like(grad))
    out = xb.detach() + float(epsilon) * step / std
    low, high = (0.0 - mean) / std, (1.0 - mean) / std
    return torch.maximum(torch.minimum(out, high), low)


def mixed(model: nn.Module, xb: torch.Tensor, yb: torch.Tensor, epsilon: float, fraction: float,
          mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """The batch with its first round(fraction * B) pictures replaced by their FGSM examples."""
    k = int(round(float(fraction) * len(xb)))
    if epsilon <= 0 or k <= 0:
        return xb
    adv = fgsm_batch(model, xb[:k], yb[:k], epsilon, mean, std)
    return torch.cat([adv, xb[k:]])

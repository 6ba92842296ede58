"""The model-randomisation sanity check of Adebayo et al. (2018), "Sanity Checks for Saliency
Maps": an explanation that looks the same for a model with random weights does not show what
the model learned (it mostly shows edges of the picture)."""

from __future__ import annotations

import copy

import torch
from torch import nn


def randomised_copy(model: nn.Module, seed: int = 0) -> nn.Module:
    """A deep copy with every layer's weights re-initialised (PyTorch's default initialisation,
    batch-norm statistics reset), buffers such as the input normalisation kept. The original
    model is untouched; the copy is in eval mode."""
    clone = copy.deepcopy(model)
    for module in clone.modules():  # hooks of a Captum call in progress on the shared model come along: drop them
        for hooks in (module._forward_hooks, module._forward_pre_hooks, module._backward_hooks,
                      module._backward_pre_hooks):
            hooks.clear()
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        for module in clone.modules():
            if hasattr(module, "reset_parameters") and module is not clone:
                module.reset_parameters()
    finally:
        torch.random.set_rng_state(state)  # the app's other random numbers stay as they were
    return clone.eval()


def similarity(a, b) -> float:
    """Spearman rank correlation of |a| and |b| (two (H, W) maps), as in Adebayo et al.: near 1
    the maps rank pixels alike, near 0 they are unrelated. A constant map gives 0."""
    import numpy as np
    from scipy.stats import spearmanr

    x, y = np.abs(np.ravel(a)), np.abs(np.ravel(b))
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    return float(spearmanr(x, y).statistic)

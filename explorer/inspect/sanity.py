"""The model-randomisation sanity check of Adebayo et al. (2018), "Sanity Checks for Saliency
Maps": an explanation that looks the same for a model with random weights does not show what
the model learned (it mostly shows edges of the picture)."""

from __future__ import annotations

import copy

import numpy as np
from torch import nn

from explorer import random_state


def randomised_copy(model: nn.Module, seed: int = 0) -> nn.Module:
    """A deep copy with every layer's weights re-initialised (PyTorch's default initialisation,
    batch-norm statistics reset), buffers such as the input normalisation kept. The original
    model is untouched; the copy is in eval mode."""
    clone = copy.deepcopy(model)
    for module in clone.modules():  # hooks of a Captum call in progress on the shared model come along: drop them
        for hooks in (module._forward_hooks, module._forward_pre_hooks, module._backward_hooks,
                      module._backward_pre_hooks):
            hooks.clear()
    with random_state.seeded(seed):  # the app's other random numbers stay as they were
        for module in clone.modules():
            if hasattr(module, "reset_parameters") and module is not clone:
                module.reset_parameters()
    return clone.eval()


def similarity(a, b) -> float:
    """Spearman rank correlation of |a| and |b| (two (H, W) maps), as in Adebayo et al.: near 1
    the maps rank pixels alike, near 0 they are unrelated. A constant map gives 0.

    Computed here (Pearson's correlation of the ranks, ties sharing their mean rank: what
    `scipy.stats.spearmanr` returns, tested equal) because importing scipy.stats for this one
    call held 44 MB more in every app process (bench/README.md, "Imports a server does not need")."""
    x, y = np.abs(np.ravel(a)), np.abs(np.ravel(b))
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of a 1-D array, equal values sharing the mean of their ranks (float64, same
    shape): scipy.stats.rankdata's "average" method."""
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]  # where each run of equal values begins
    group = np.empty(len(x), dtype=np.intp)
    group[order] = np.cumsum(starts) - 1  # each value's run, in the original order
    bounds = np.r_[np.flatnonzero(starts), len(x)]  # run i holds sorted positions bounds[i]..bounds[i+1]-1
    return (bounds[group] + bounds[group + 1] + 1) / 2.0

"""Dropout at training and at test time, two equivalent conventions, computed on one vector.

PyTorch (and Keras) use 'inverted' dropout: during training each unit is zeroed with
probability p and the survivors are multiplied by 1 / (1 - p); at test time nothing changes.
The AlexNet paper (and the course) describe the original: during training units are zeroed
without scaling, and at test time every output is multiplied by (1 - p) (0.5 for p = 0.5).
Both keep what the next layer sees on average the same in training and at test time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from explorer import random_state


@dataclass(frozen=True)
class DropoutStep:
    x: np.ndarray              # (n,) the layer's input
    kept: np.ndarray           # (n,) bool, the mask of this training step
    torch_train: np.ndarray    # nn.Dropout in train mode (inverted: survivors x 1/(1-p))
    torch_test: np.ndarray     # nn.Dropout in eval mode (identity)
    paper_train: np.ndarray    # survivors unscaled
    paper_test: np.ndarray     # everything x (1 - p)
    p: float


def step(x: np.ndarray, p: float = 0.5, seed: int = 0) -> DropoutStep:
    """One training step's mask (drawn by torch's own nn.Dropout) and all four outputs."""
    t = torch.tensor(np.asarray(x, np.float64))
    layer = nn.Dropout(p)
    with random_state.seeded(seed):
        train = layer.train()(t).numpy()
    test = layer.eval()(t).numpy()
    kept = train != 0
    xs = t.numpy()
    return DropoutStep(xs, kept, train, test, np.where(kept, xs, 0.0), xs * (1 - p), p)


def average_over_steps(x: np.ndarray, p: float = 0.5, steps: int = 2000, seed: int = 0) -> np.ndarray:
    """Mean of the training-mode torch output over many steps: close to the test output."""
    t = torch.tensor(np.asarray(x, np.float64)).expand(steps, -1)
    with random_state.seeded(seed):
        return nn.Dropout(p).train()(t).mean(0).numpy()

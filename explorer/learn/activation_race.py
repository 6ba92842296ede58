"""ReLU against tanh and sigmoid: the same small CNN, the same start, trained on the 8x8
digits with plain SGD and momentum (as AlexNet was), timing how fast the training error falls.

The course quotes AlexNet's finding: with ReLU a 4-layer CNN reached 25% training error on
CIFAR-10 six times faster than with tanh. This runs a small version of that experiment live.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from explorer import random_state

ACTS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
TARGET = 0.25  # training error, as in the paper's figure


def network(act: str, channels: int = 16, classes: int = 10) -> nn.Module:
    """Four 3x3 convolutions (8x8 -> 8x8 -> 4x4 -> 4x4 -> 2x2), then a linear layer."""
    a = ACTS[act]
    return nn.Sequential(
        nn.Conv2d(1, channels, 3, padding=1), a(), nn.Conv2d(channels, channels, 3, padding=1), a(),
        nn.MaxPool2d(2),
        nn.Conv2d(channels, channels, 3, padding=1), a(), nn.Conv2d(channels, channels, 3, padding=1), a(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(channels * 4, classes))


@dataclass(frozen=True)
class Curve:
    act: str
    steps: tuple[int, ...]
    errors: tuple[float, ...]     # training error (whole training set) after each step count
    seconds: tuple[float, ...]

    def steps_to(self, target: float = TARGET) -> int | None:
        """First step count at which the training error is at or below target."""
        return next((s for s, e in zip(self.steps, self.errors) if e <= target), None)


def race(images: np.ndarray, labels: np.ndarray, acts=("relu", "tanh", "sigmoid"), steps: int = 300,
         every: int = 10, batch: int = 64, lr: float = 0.02, seed: int = 0) -> list[Curve]:
    """images (N, 1, 8, 8) in [0, 1], labels (N,). Every net starts from the same weights."""
    x = torch.from_numpy(np.ascontiguousarray(images, np.float32))
    y = torch.from_numpy(np.asarray(labels, np.int64))
    curves = []
    for act in acts:
        with random_state.seeded(seed):  # every net starts from the same weights
            model = network(act)
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        gen = torch.Generator().manual_seed(seed)
        loss_fn = nn.CrossEntropyLoss()
        marks, errors, secs = [], [], []
        start, spent = time.perf_counter(), 0.0
        for step in range(1, steps + 1):
            idx = torch.randint(len(x), (batch,), generator=gen)
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
            if step % every == 0:
                spent = time.perf_counter() - start
                with torch.no_grad():
                    err = float((model(x).argmax(1) != y).float().mean())
                marks.append(step)
                errors.append(err)
                secs.append(spent)
                start = time.perf_counter() - spent  # evaluation is not training time
        curves.append(Curve(act, tuple(marks), tuple(errors), tuple(secs)))
    return curves

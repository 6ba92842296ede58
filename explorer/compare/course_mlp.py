"""The course's fully connected network (flattened pixels -> 512 -> 512 -> classes, dropout)
trained in PyTorch as a baseline: the network that sees pixels but not their neighbourhood.

The architecture is `models.build("course_mlp", ...)`; this file holds only its schedule,
the course's own: Adam at Keras's default rate 0.001, batch 128, 50 epochs.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from explorer import models, random_state
from explorer.compare.results import Result, Stopped
from explorer.data.types import Dataset
from explorer.train import device


@dataclass(frozen=True)
class Schedule:
    """How the MLP trains: the course's schedule (section 1.1: Adam with Keras's default
    learning rate 0.001, batch 128, 50 epochs) with a fixed seed.

    bench/course_baselines.py measures how far results on this machine land from the course's
    0.7748 and how much they move from seed to seed."""

    epochs: int = 50
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 0


def build(image_shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """The course's network for (C, H, W) images; its first module flattens them."""
    c, h, w = image_shape
    return models.build("course_mlp", in_channels=c, num_classes=num_classes, input_size=(h, w))


def run(train: Dataset, test: Dataset, schedule: Schedule = Schedule(), *,
        on_epoch: Callable[[int, int, float], None] | None = None,
        should_stop: Callable[[], bool] | None = None) -> Result:
    """Train on `train`, measure on `test`. Raises Stopped when should_stop()."""
    # (N, C, H, W) in [0, 1]: the network's nn.Flatten turns each into one row, as the course.
    x_train, y_train = (torch.from_numpy(np.ascontiguousarray(a)) for a in (train.images, train.labels))
    x_test, y_test = test.images, test.labels
    n_pixels = int(np.prod(train.image_shape))
    dev = device.pick()
    gen = torch.Generator().manual_seed(schedule.seed)
    # The weights and then the dropout masks continue one seeded sequence, the run's own: other
    # threads' draws meanwhile change neither (explorer/random_state.py).
    with random_state.seeded(schedule.seed):
        model = build(train.image_shape, len(train.classes)).to(dev)
        masks = random_state.Stream.here(dev)
    start = time.perf_counter()
    history = _fit(model, x_train, y_train, schedule, gen, masks, on_epoch, should_stop)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = predict(model, torch.from_numpy(np.ascontiguousarray(x_test)), dev)
    predict_seconds = time.perf_counter() - start
    params = sum(p.numel() for p in model.parameters())
    widths = "-".join(str(m.out_features) for m in model.modules() if isinstance(m, nn.Linear))
    return Result(
        "mlp", "Fully connected network", "fully connected", float(np.mean(predicted == y_test)),
        fit_seconds, predict_seconds, params, f"{params:,} weights",
        f'models.build("course_mlp")  # {n_pixels}-{widths}, dropout {_dropout(model)}',
        {"layers": f"{n_pixels}-{widths}", "dropout": _dropout(model), "optimizer": "Adam", **asdict(schedule),
         "device": dev.type},
        len(train), len(test), (), tuple(history),
    )


def _fit(model, x, y, schedule: Schedule, gen, masks: random_state.Stream, on_epoch, should_stop) -> list[float]:
    """Mini-batch Adam on cross-entropy; checks should_stop() before every epoch."""
    dev = next(model.parameters()).device
    opt = torch.optim.Adam(model.parameters(), lr=schedule.lr)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(1, schedule.epochs + 1):
        if should_stop is not None and should_stop():
            raise Stopped(f"stopped before epoch {epoch}")
        model.train()
        total = 0.0
        for idx in torch.randperm(len(x), generator=gen).split(schedule.batch_size):
            xb, yb = x[idx].to(dev), y[idx].to(dev)
            opt.zero_grad()
            with masks.drawing():
                loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        history.append(total / len(x))
        if on_epoch is not None:
            on_epoch(epoch, schedule.epochs, history[-1])
    return history


def _dropout(model: nn.Module) -> float:
    return next((m.p for m in model.modules() if isinstance(m, nn.Dropout)), 0.0)


def predict(model: nn.Module, x: torch.Tensor, dev: torch.device) -> np.ndarray:
    """Class indices (N,) for images x (N, C, H, W)."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(b.to(dev)).argmax(1).cpu() for b in x.split(512)]).numpy()

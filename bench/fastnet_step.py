"""The app's FastNet training step, for the benches that time it (bench_step_floor,
bench_step_split, bench_step_backends): a batch of 32x32 pictures (FastNet's input after its own
2x2 pool, which the app runs apart from the model: explorer/train/batches.py), forward,
label-smoothed cross-entropy, backward and the app's one-cycle AdamW (explorer/train/optim.py)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Hashable

import torch
import torch.nn.functional as F
from torch import nn

from explorer.models import fastnet
from explorer.train import optim

WARM_UP_STEPS = 20  # not counted: the first steps of a row allocate and pick kernels


def network(width: int = 16, layout=torch.channels_last) -> tuple[nn.Module, nn.Module, optim.OneCycleAdamW]:
    """(the whole FastNet, the part after its first pool, the app's optimizer), seeded with 0."""
    torch.manual_seed(0)
    model = fastnet.fastnet(input_size=(64, 64), width=width).to(memory_format=layout)
    return model, model[1:], optim.OneCycleAdamW(model.parameters(), 0.04, 100_000, 0.25, 5e-4)


def pictures(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, 1, 32, 32) channels-last pictures, (n,) labels."""
    return torch.randn(n, 1, 32, 32).contiguous(memory_format=torch.channels_last), torch.randint(0, 10, (n,))


def step(net: nn.Module, opt: optim.OneCycleAdamW, x: torch.Tensor, y: torch.Tensor) -> None:
    loss = F.cross_entropy(net(x), y, label_smoothing=0.2)
    loss.item()  # the app's loop reads every step's loss
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def in_turns(rows: dict[Hashable, Callable[[], None]], steps: int) -> dict[Hashable, list[float]]:
    """{row: seconds of each counted step}, the rows taking turns step by step, so that a machine
    whose speed drifts slows every row alike."""
    times: dict[Hashable, list[float]] = {k: [] for k in rows}
    for _ in range(steps):
        for name, run in rows.items():
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    return {k: v[WARM_UP_STEPS:] for k, v in times.items()}


def median_ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds)

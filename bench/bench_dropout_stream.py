"""What a dropout network's own sequence of masks costs a training step (explorer/random_state.py
`Stream`, round 14 of issue 21): the course's CNN (batch 128, its Adam) and the course's fully
connected network (batch 128), each step with its forward pass inside `Stream.drawing()`
against the plain PyTorch step drawing straight from the global generator, taking turns step by
step in one process so that a drift of the machine slows both alike. Also the lending alone
(an empty `drawing()` block).

    python -m bench.bench_dropout_stream [--steps 60] [--threads 2]     # about 4.5 min on 2 cores
"""

from __future__ import annotations

import argparse
import contextlib
import time

import torch
from torch import nn

from bench.common import median, percentile, table
from explorer import models, random_state
from explorer.train import device


def _step(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, block) -> float:
    start = time.perf_counter()
    with block:
        loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return time.perf_counter() - start


def paired(name: str, steps: int) -> list:
    """[network, plain ms, with Stream ms, ratio] over `steps` alternating steps after 10 untimed."""
    torch.manual_seed(0)
    model = models.build(name, in_channels=1, num_classes=10, input_size=(64, 64)).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.rand(128, 1, 64, 64), torch.randint(0, 10, (128,))
    stream = random_state.Stream.starting(0)
    plain, lent = [], []
    for i in range(steps + 10):
        a = _step(model, opt, x, y, contextlib.nullcontext())
        b = _step(model, opt, x, y, stream.drawing())
        if i >= 10:
            plain.append(a)
            lent.append(b)
    mp, ml = median(plain) * 1e3, median(lent) * 1e3
    return [name, f"{mp:.2f} ({percentile(plain, 10) * 1e3:.2f})", f"{ml:.2f} ({percentile(lent, 10) * 1e3:.2f})",
            f"{ml / mp:.3f}"]


def lending_alone(times: int = 2000) -> float:
    """Microseconds for entering and leaving one empty `drawing()` block, median of 5 x times."""
    stream = random_state.Stream.starting(0)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(times):
            with stream.drawing():
                pass
        runs.append((time.perf_counter() - start) / times * 1e6)
    return median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    device.own_threads(args.threads)
    rows = [paired(name, args.steps) for name in ("course_cnn", "course_mlp")]
    table(f"A training step, batch 128 of 64x64, {args.threads} threads, {args.steps} steps each in turns: "
          "median ms (p10)", ["network", "plain PyTorch step", "forward inside Stream.drawing()", "ratio"], rows)
    print(f"\nan empty Stream.drawing() block: {lending_alone():.1f} us")


if __name__ == "__main__":
    main()

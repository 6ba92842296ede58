"""Can another way of running the same FastNet step make it cheaper? The app's training step
(eager PyTorch, oneDNN, channels-last, float32 on CPUs without AMX) against the same step run
other ways, timed in turn in one process (issue 21: a 1.0-s training on a CPU without AMX).

    python -m bench.bench_step_backends [--threads 2] [--steps 200] [--ways app nchw ...]

Ways (`--ways`; all by default):
  app        the app's step: oneDNN convolutions in channels-last, float32
  nchw       the same in PyTorch's default layout (NCHW)
  no-onednn  oneDNN off (`torch.backends.mkldnn.enabled = False`): PyTorch's own convolutions
  bfloat16   autocast to bfloat16 (the app uses it only where the CPU has AMX tiles)
  float16    autocast to float16 (AVX-512 FP16 CPUs)
  compiled   `torch.compile` (Inductor: generated C++ with its fused kernels), forward and backward;
             needs a C++ compiler; its compile time is printed apart

Each step: batch 32 of 32x32 pictures (FastNet's input after its own 2x2 pool), forward,
label-smoothed cross-entropy, backward, the app's one-cycle AdamW (explorer/train/optim.py); the
same starting weights for every way. The ways take turns step by step, so a drift of the
machine slows all alike; each way's first 10 steps are not counted, and a way that has used 20 s
stops early (its row says after how many steps). Runtime: about 15 s, plus ~40 s for `compiled`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import contextlib
import os
import statistics
import time
from typing import Callable

import torch
import torch.nn.functional as F

from bench import fastnet_step
from bench.common import machine, percentile

WAYS = ("app", "nchw", "no-onednn", "bfloat16", "float16", "compiled")
SKIP = 10  # warm-up steps of each way, not counted
BUDGET_S = 20.0  # a way stops once its steps have taken this long


@contextlib.contextmanager
def _onednn_off():
    """oneDNN off for the step (set directly: `torch.backends.mkldnn.flags` warns about TF32)."""
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = True


def _setting(way: str):
    """The context a way's step runs in: oneDNN off, an autocast, or nothing."""
    if way == "no-onednn":
        return _onednn_off()
    if way in ("bfloat16", "float16"):
        return torch.autocast("cpu", dtype=getattr(torch, way))
    return contextlib.nullcontext()


def _stepper(way: str) -> Callable[[], None]:
    """One training step of a freshly seeded default FastNet, run `way`."""
    layout = torch.contiguous_format if way in ("nchw", "no-onednn") else torch.channels_last
    _, rest, opt = fastnet_step.network(layout=layout)
    x, y = fastnet_step.pictures(32)

    def loss_of(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(rest(xb).float(), yb, label_smoothing=0.2)
    forward = torch.compile(loss_of, dynamic=False) if way == "compiled" else loss_of

    def step() -> None:
        with _setting(way):
            loss = forward(x, y)
            loss.item()  # the app's loop reads every step's loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
        opt.step()
    return step


def _time(ways: list[str], steps: int) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Step seconds of each way, in turn; and each way's first step (compiling, for `compiled`)."""
    steppers = {w: _stepper(w) for w in ways}
    first: dict[str, float] = {}
    for w, step in steppers.items():
        t = time.perf_counter()
        step()
        first[w] = time.perf_counter() - t
    times: dict[str, list[float]] = {w: [] for w in ways}
    for _ in range(steps):
        for w, step in steppers.items():
            if sum(times[w]) > BUDGET_S:
                continue
            t = time.perf_counter()
            step()
            times[w].append(time.perf_counter() - t)
    return times, first


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    times, first = _time(args.ways, args.steps)
    ref = statistics.median(times[args.ways[0]][SKIP:])
    print(f"FastNet training steps, batch 32, {args.threads} thread(s), up to {args.steps} steps each in turn "
          f"({machine()}; load {load:.1f} -> {os.getloadavg()[0]:.1f})")
    print(f"| way | first step, s | steps timed | step ms, median (p10) | of {args.ways[0]}'s step |")
    print("|---|---|---|---|---|")
    for w in args.ways:
        kept = times[w][SKIP:] or times[w]
        ms = statistics.median(kept) * 1000
        print(f"| {w} | {first[w]:.2f} | {len(times[w])} | {ms:.2f} ({percentile(kept, 10) * 1000:.2f}) | "
              f"{ms / (ref * 1000):.2f} |")


if __name__ == "__main__":
    main()

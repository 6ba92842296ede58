"""What a FastNet training step costs by batch size, and whether two half-batches on two threads
beat one batch on two (issue 21: fewer, larger steps, or the two cores used another way?).

    python -m bench.bench_step_split [--steps 200]

Every step is the app's (batch of 32x32 pictures, FastNet's input after its own 2x2 pool,
channels-last, forward, label-smoothed cross-entropy, backward, the app's one-cycle AdamW). Two
tables, each timed in turns in one process, so a drifting machine slows every row alike; the
first 20 steps of a row are not counted:

1. batch 16, 32, 48, 64 and 128 at 2 torch threads, then 16, 32 and 64 at 1: a step's fixed cost
   and its cost per picture.
2. the app's step (batch 32, 2 torch threads) against the same batch split in two: two Python
   threads, each with 1 torch thread and its own copy of the network, each forward and backward
   on 16 pictures, their gradients averaged and one AdamW step (this changes the network's
   arithmetic: batch-norm sees 16 pictures, not 32; timed only). Beside them, one half on one
   thread alone: what a split step would take if the two halves did not slow each other.
Runtime: about 30 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import copy
import os
import threading
from collections.abc import Callable

import torch
import torch.nn.functional as F

from bench import fastnet_step
from bench.common import machine


class _Half:
    """A Python thread with `threads` torch threads that runs forward and backward of its own copy
    of the network on its pictures each time it is asked."""

    def __init__(self, net, x, y, threads: int) -> None:
        self.net, self.x, self.y, self.threads = copy.deepcopy(net), x, y, threads
        self.go, self.done = threading.Event(), threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        torch.set_num_threads(self.threads)  # OpenMP's thread count is per calling thread
        while True:
            self.go.wait()
            self.go.clear()
            for p in self.net.parameters():
                p.grad = None
            F.cross_entropy(self.net(self.x), self.y, label_smoothing=0.2).backward()
            self.done.set()

    def start(self) -> None:
        self.go.set()

    def wait(self) -> None:
        self.done.wait()
        self.done.clear()


def _split_step(net, opt, halves: list[_Half]) -> Callable[[], None]:
    """Both halves at once, their gradients averaged into `net`, one AdamW step, weights copied back."""
    params = list(net.parameters())

    def step() -> None:
        for h in halves:
            h.start()
        for h in halves:
            h.wait()
        with torch.no_grad():
            for p, a, b in zip(params, halves[0].net.parameters(), halves[1].net.parameters()):
                p.grad = (a.grad + b.grad).mul_(0.5)
            opt.step()
            for h in halves:
                for mine, p in zip(h.net.parameters(), params):
                    mine.copy_(p)
    return step


def _alone(half: _Half) -> Callable[[], None]:
    def step() -> None:
        half.start()
        half.wait()
    return step


def _in_turns(rows: dict[str, Callable[[], None]], steps: int) -> dict[str, float]:
    """{row: median ms of a step}, the rows taking turns step by step."""
    return {k: fastnet_step.median_ms(v) for k, v in fastnet_step.in_turns(rows, steps).items()}


def _batch_rows(threads: int, sizes: list[int]) -> dict[str, Callable[[], None]]:
    rows = {}
    for n in sizes:
        _, net, opt = fastnet_step.network()
        x, y = fastnet_step.pictures(n)
        rows[f"batch {n}, {threads} thread(s)"] = (lambda net=net, opt=opt, x=x, y=y: fastnet_step.step(net, opt, x, y))
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=200)
    args = p.parse_args()
    load = os.getloadavg()[0]
    print(machine())
    print("\n| batch | torch threads | step ms (median) | per picture, us | of batch 32's step |")
    print("|---|---|---|---|---|")
    for threads, sizes in ((2, [32, 16, 48, 64, 128]), (1, [32, 16, 64])):
        torch.set_num_threads(threads)
        ms = _in_turns(_batch_rows(threads, sizes), args.steps)
        base = ms[f"batch 32, {threads} thread(s)"]
        for n in sorted(sizes):
            m = ms[f"batch {n}, {threads} thread(s)"]
            print(f"| {n} | {threads} | {m:.2f} | {1000 * m / n:.0f} | {m / base:.2f} |")

    torch.set_num_threads(2)
    _, net, opt = fastnet_step.network()
    x, y = fastnet_step.pictures(32)
    halves = [_Half(net, x[:16], y[:16], 1), _Half(net, x[16:], y[16:], 1)]
    lone = _Half(net, x[:16], y[:16], 1)
    ms = _in_turns({"the app's step: batch 32, 2 torch threads": lambda: fastnet_step.step(net, opt, x, y),
                    "split: 2 Python threads x 1 torch thread, 16 pictures each": _split_step(net, opt, halves),
                    "one half alone: 16 pictures, 1 torch thread": _alone(lone)}, args.steps)
    base = ms["the app's step: batch 32, 2 torch threads"]
    print("\n| step | ms (median) | of the app's step |")
    print("|---|---|---|")
    for name, m in ms.items():
        print(f"| {name} | {m:.2f} | {m / base:.2f} |")
    print(f"\nload average {load:.1f} -> {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

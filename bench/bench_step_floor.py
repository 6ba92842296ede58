"""How much of a FastNet training step is arithmetic: steps of FastNet at several widths, timed
in turn in one process (issue 21: can a cheaper network reach 1.0 s of training?).

    python -m bench.bench_step_floor [--threads 2] [--steps 300] [--widths 4 8 16]

Each step is the app's: batch 32 of 32x32 pictures (FastNet's input after its own 2x2 pool),
channels-last, forward, label-smoothed cross-entropy, backward and the app's one-cycle AdamW
(explorer/train/optim.py). The widths take turns step by step, so a machine whose speed drifts
slows all of them alike; the first 20 steps of each are not counted. A width's multiply-adds
fall with its square, so if the step were arithmetic, width 4 would take 1/16 of width 16's
time: the gap between that and what it takes is the per-step cost no narrower FastNet saves.
The default run is 4 epochs of 46 steps (184 steps). Runtime: about 10 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import os

import torch

from bench import fastnet_step
from bench.common import machine, percentile
from explorer.models.cost import cost

RUN_STEPS = 4 * 46  # the default run: 4 epochs of 1,484 training pictures in batches of 32


def _stepper(width: int):
    """(one training step of a FastNet of this width, its forward multiply-adds per picture)."""
    model, rest, opt = fastnet_step.network(width)
    x, y = fastnet_step.pictures(32)
    return (lambda: fastnet_step.step(rest, opt, x, y)), cost(model, (1, 64, 64)).macs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--widths", type=int, nargs="+", default=[4, 8, 16])
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    steppers = {w: _stepper(w) for w in args.widths}
    times = fastnet_step.in_turns({w: step for w, (step, _) in steppers.items()}, args.steps)
    ref = max(args.widths)
    ref_ms = fastnet_step.median_ms(times[ref])
    print(f"FastNet training steps, batch 32, {args.threads} thread(s), {args.steps} steps each in turn "
          f"({machine()}; load {load:.1f} -> {os.getloadavg()[0]:.1f})")
    print(f"| width | forward MACs per picture | step ms, median (p10) | of width {ref}'s step "
          f"| {RUN_STEPS} steps, s |")
    print("|---|---|---|---|---|")
    for w, (_, macs) in steppers.items():
        kept = times[w]
        ms = fastnet_step.median_ms(kept)
        print(f"| {w} | {macs / 1e6:.2f} M | {ms:.2f} ({percentile(kept, 10) * 1000:.2f}) | "
              f"{ms / ref_ms:.2f} | {ms * RUN_STEPS / 1000:.2f} |")


if __name__ == "__main__":
    main()

"""Variants of FastNet's default recipe on Sign Language Digits (course split): test accuracy over
seeds and CPU seconds of the training loop, in-process (explorer.train.training.train).

    python -m bench.bench_train_variants [--threads 1] [--seeds 0 1 2 3 4] [--quick] [VARIANT ...]

A VARIANT is JSON of TrainConfig fields laid over the default schedule, e.g. '{"bf16": false}'
or '{"epochs": 12}'; its key "model" holds the options of a FastNet variant
(bench/fastnet_variants.py, e.g. '{"model": {"pool_first": true}}'); without any, the default
recipe and the same in float32. CPU seconds (process time) are printed because on a shared machine they compare variants where wall clock does not;
with --threads 1 they approximate a quiet machine's single-thread wall clock. --quick: seeds 0
and 1. Runtime: about 3 s of CPU per seed and variant (4 epochs, 1 thread), so ~30 s for the
default two variants over 5 seeds on a quiet machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import json
import os
import statistics

import torch

from bench import fastnet_variants
from bench.common import machine
from explorer import models
from explorer.data import datasets
from explorer.train import recipes, training


def run(overrides: dict, seeds: list[int], threads: int, train_ds, test_ds) -> tuple[list[float], list[float], list[float]]:
    """(test accuracies, CPU seconds, wall seconds) per seed."""
    overrides = dict(overrides)
    variant = overrides.pop("model", None)
    spec = recipes.model_spec("fastnet", train_ds)
    accs, cpus, walls = [], [], []
    for seed in seeds:
        cfg = training.TrainConfig(**{**recipes.default_schedule("fastnet"), **overrides},
                                   threads=threads, device="cpu", seed=seed)
        torch.manual_seed(seed)
        net = (fastnet_variants.build(**{**spec["options"], **variant}) if variant
               else models.build(spec["architecture"], **spec["options"]))
        done = list(training.train(cfg, train_ds, test_ds, net))[-1]
        accs.append(done.test_accuracy)
        cpus.append(done.cpu_seconds)
        walls.append(done.seconds)
    return accs, cpus, walls


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("variants", nargs="*", help="JSON of TrainConfig fields over the default schedule")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--quick", action="store_true", help="seeds 0 and 1")
    args = p.parse_args()
    seeds = args.seeds[:2] if args.quick else args.seeds
    variants = args.variants or ["{}", '{"bf16": false}']
    torch.set_num_threads(args.threads)
    train_ds, test_ds = datasets.split(datasets.load("sign-digits", download_missing=False))
    load = os.getloadavg()[0]
    print(f"FastNet default recipe {recipes.default_schedule('fastnet')}, seeds {seeds}, {args.threads} thread(s)")
    print("| variant | median | range | CPU s median (min) | wall s median (min) |")
    print("|---|---|---|---|---|")
    for v in variants:
        accs, cpus, walls = run(json.loads(v), seeds, args.threads, train_ds, test_ds)
        print(f"| {v} | {statistics.median(accs):.2%} | {min(accs):.2%}-{max(accs):.2%} | "
              f"{statistics.median(cpus):.2f} ({min(cpus):.2f}) | {statistics.median(walls):.2f} ({min(walls):.2f}) |",
              flush=True)
    print(f"{machine()}; load average {load:.1f} -> {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

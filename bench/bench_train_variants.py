"""Variants of FastNet's default recipe on Sign Language Digits (course split): test accuracy over
seeds and CPU seconds of the training loop, in-process (explorer.train.training.train).

    python -m bench.bench_train_variants [--threads 1] [--seeds 0 1 2 3 4] [--quick] [VARIANT ...]

A VARIANT is JSON of TrainConfig fields laid over the default schedule, e.g. '{"bf16": false}'
or '{"epochs": 12}'; its key "model" holds the options of a FastNet variant
(bench/fastnet_variants.py, e.g. '{"model": {"pool_first": true}}'); the keys of
bench/train_tricks.py's tricks apply them around the same loop: "whiten": true (the first conv
starts from the pictures' patch directions), "dirac": true, "no_affine": true, "ema": DECAY (an
average of the weights over the last epoch, measured in its place), "tta": {"shift": PIXELS,
"flip": BOOL} (a column of the accuracy with test-time augmentation), "warmup": SHARE (one-cycle's
rising share, 0.25 in the app), "moved_at_half": true (augmented batches sampled at the pooled size). Without any VARIANT, the default recipe and the same in float32.
CPU seconds (process time) are printed because on a shared machine they compare variants where
wall clock does not; with --threads 1 they approximate a quiet machine's single-thread wall
clock. --quick: seeds 0 and 1. Runtime: about 3 s of CPU per seed and variant (4 epochs, 1 thread), so ~30 s for the
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

from bench import fastnet_variants, train_tricks
from bench.common import machine
from explorer import models
from explorer.data import datasets
from explorer.train import batches, recipes, training

TRICKS = ("whiten", "dirac", "no_affine", "ema", "tta", "warmup", "moved_at_half")


def run(overrides: dict, seeds: list[int], threads: int, train_ds, test_ds) -> dict[str, list[float]]:
    """{"acc": test accuracies, "cpu": CPU seconds, "wall": wall seconds, "tta": accuracies with
    test-time augmentation (only with the key "tta")}, one per seed."""
    overrides = dict(overrides)
    variant = overrides.pop("model", None)
    tricks = {k: overrides.pop(k) for k in TRICKS if k in overrides}
    spec = recipes.model_spec("fastnet", train_ds)
    out: dict[str, list[float]] = {"acc": [], "cpu": [], "wall": [], "tta": []}
    make_optimizer, warmup = training._optimizer_and_schedule, training.ONE_CYCLE_WARMUP
    prepared = batches.prepared
    for seed in seeds:
        cfg = training.TrainConfig(**{**recipes.default_schedule("fastnet"), **overrides},
                                   threads=threads, device="cpu", seed=seed)
        torch.manual_seed(seed)
        net = (fastnet_variants.build(**{**spec["options"], **variant}) if variant
               else models.build(spec["architecture"], **spec["options"]))
        if tricks.get("whiten"):
            train_tricks.whiten(net, train_tricks.training_inputs(train_ds, cfg))
        if tricks.get("dirac"):
            train_tricks.dirac(net)
        if tricks.get("no_affine"):
            train_tricks.no_affine(net)
        average = None
        if tricks.get("ema"):
            steps = len(training.carve_validation(train_ds, cfg.validation, seed)[0]) // cfg.batch_size
            average = train_tricks.Average(net, tricks["ema"], (cfg.epochs - 1) * steps)
            training._optimizer_and_schedule = train_tricks.averaging(average)
        training.ONE_CYCLE_WARMUP = tricks.get("warmup", warmup)
        if tricks.get("moved_at_half"):
            batches.prepared = train_tricks.moved_at_half
        try:
            done = list(training.train(cfg, train_ds, test_ds, net))[-1]
        finally:
            training._optimizer_and_schedule, training.ONE_CYCLE_WARMUP = make_optimizer, warmup
            batches.prepared = prepared
        acc = done.test_accuracy
        if average is not None:
            average.load_into(done.model)
            acc = train_tricks.accuracy(done.model, done.normalisation, test_ds)
        out["acc"].append(acc)
        out["cpu"].append(done.cpu_seconds)
        out["wall"].append(done.seconds)
        if "tta" in tricks:
            out["tta"].append(train_tricks.accuracy(done.model, done.normalisation, test_ds, **tricks["tta"]))
    return out


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
    print("| variant | median | range | CPU s median (min) | wall s median (min) | per seed |")
    print("|---|---|---|---|---|---|")
    for v in variants:
        r = run(json.loads(v), seeds, args.threads, train_ds, test_ds)
        accs, cpus, walls = r["acc"], r["cpu"], r["wall"]
        tta = (f" (test-time augmentation: {statistics.median(r['tta']):.2%}, "
               f"{min(r['tta']):.2%}-{max(r['tta']):.2%})" if r["tta"] else "")
        print(f"| {v} | {statistics.median(accs):.2%}{tta} | {min(accs):.2%}-{max(accs):.2%} | "
              f"{statistics.median(cpus):.2f} ({min(cpus):.2f}) | {statistics.median(walls):.2f} ({min(walls):.2f}) | "
              f"{' '.join(f'{a:.2%}' for a in accs)} |", flush=True)
    print(f"{machine()}; load average {load:.1f} -> {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

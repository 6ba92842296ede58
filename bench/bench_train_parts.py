"""Where a FastNet training run's time goes: the whole loop, its per-epoch evaluations and its
optimizer steps, CPU seconds per run (in-process, explorer.train.training.train, default recipe,
Sign Language Digits, course split).

    python -m bench.bench_train_parts [--threads 1] [--seeds 0 1 2] [--root OTHER_CHECKOUT] [VARIANT]

--root imports `explorer` from another checkout (e.g. `git archive main | tar -x -C /tmp/before`)
so one command compares before and after; run it once per checkout, alternating. VARIANT: JSON of
TrainConfig fields over the default schedule (e.g. '{"bf16": false}'). CPU seconds, not wall:
on a shared machine they compare two checkouts where wall clock does not. Runtime: about 4 CPU s
per seed at 1 thread (~15 s for the default three seeds on a quiet machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("variant", nargs="?", default="{}")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = p.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    import torch

    from explorer.data import datasets
    from explorer.models import from_spec
    from explorer.train import recipes, training

    torch.set_num_threads(args.threads)
    spent = {"evaluations": 0.0, "optimizer": 0.0}
    evaluate, make = training._evaluate, training._optimizer_and_schedule

    def timed_evaluate(*a, **k):
        start = time.process_time()
        try:
            return evaluate(*a, **k)
        finally:
            spent["evaluations"] += time.process_time() - start

    def timed_optimizer(model, cfg, total_steps):
        opt, sched = make(model, cfg, total_steps)
        step = opt.step

        def timed_step():
            start = time.process_time()
            step()
            spent["optimizer"] += time.process_time() - start
        opt.step = timed_step
        return opt, sched

    training._evaluate, training._optimizer_and_schedule = timed_evaluate, timed_optimizer
    train_ds, test_ds = datasets.split(datasets.load("sign-digits", download_missing=False))
    load = os.getloadavg()[0]
    rows = []
    for seed in args.seeds:
        spent.update(evaluations=0.0, optimizer=0.0)
        cfg = training.TrainConfig(**{**recipes.default_schedule("fastnet"), **json.loads(args.variant)},
                                   threads=args.threads, device="cpu", seed=seed)
        torch.manual_seed(seed)
        model = from_spec.build(recipes.model_spec("fastnet", train_ds))
        done = list(training.train(cfg, train_ds, test_ds, model))[-1]
        rows.append((done.cpu_seconds, spent["evaluations"], spent["optimizer"], done.test_accuracy))
    print(f"explorer from {args.root}, {args.threads} thread(s), seeds {args.seeds}, variant {args.variant}")
    print("| CPU s, median of seeds | whole run | evaluations | optimizer steps | the rest | test accuracy per seed |")
    print("|---|---|---|---|---|---|")
    whole, ev, op = (statistics.median(r[i] for r in rows) for i in range(3))
    print(f"| | {whole:.2f} | {ev:.3f} | {op:.3f} | {whole - ev - op:.2f} | {' '.join(f'{r[3]:.2%}' for r in rows)} |")
    print(f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

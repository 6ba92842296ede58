"""How far the app's baselines land from the course's published accuracies, and how much the
two trained networks move from seed to seed (the part of the difference chance explains).

    CNN_EXPLORER_SIGN_DIGITS=/path/to/sign-language-digits-master.zip \\
        python -m bench.course_baselines [--seeds 0,1,2] [--threads 1] [--skip-cnn]

Runs each classical baseline once (they are deterministic: random_state 0 where the course
sets it), the course's MLP (course schedule: Adam 0.001, batch 128, 50 epochs) and the
course's CNN (course_cnn, Adam 0.001, batch 128, 10 epochs) once per seed, on the course's
split (test_size 0.2, random_state 8). Prints one table; no assertion.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch

from explorer.compare import baselines, comparison, course_mlp
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT  # noqa: E402
from explorer.models import from_spec  # noqa: E402
from explorer.train import device, recipes, training


def cnn_accuracy(train, test, seed: int) -> tuple[float, float]:
    """(test accuracy, seconds per epoch) of course_cnn with its default (the course's) schedule."""
    config = training.TrainConfig(seed=seed, **recipes.default_schedule("course_cnn"))
    spec = recipes.model_spec("course_cnn", train)
    done = None
    for ev in training.train(config, train, test, from_spec.build(spec)):
        if isinstance(ev, training.Finished):
            done = ev
    return float(done.test_accuracy), done.seconds / max(done.epochs_done, 1)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", default="0,1,2", help="seeds of the MLP")
    p.add_argument("--cnn-seeds", default="0", help="seeds of the CNN (minutes each on a CPU)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--skip-cnn", action="store_true")
    args = p.parse_args()
    device.set_threads(args.threads)
    seeds = [int(s) for s in args.seeds.split(",")]
    ds = datasets.load("sign-digits", download_missing=False)
    train, test = datasets.split(ds, COURSE_SPLIT)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; torch threads {args.threads}; "
          f"{len(train)} train / {len(test)} test photos (one photo = {100 / len(test):.2f} points)")
    print("| model | measured (per seed) | median | course | median - course (points) | seconds (fit; CNN: per epoch) |")
    print("| --- | --- | --- | --- | --- | --- |", flush=True)

    def show(title, a, course, s):
        med = statistics.median(a)
        print(f"| {title} | {', '.join(f'{x:.4f}' for x in a)} | {med:.4f} | {course:.4f} | "
              f"{(med - course) * 100:+.1f} | {s:.1f} |", flush=True)

    for name in ("svm", "knn", "logreg", "random_forest"):
        r = baselines.run(name, train, test)
        show(r.title, [r.accuracy], comparison.COURSE_REPORTED[name], r.fit_seconds)
    accs, secs = [], []
    for seed in seeds:
        t = time.perf_counter()
        r = course_mlp.run(train, test, course_mlp.Schedule(seed=seed))
        accs.append(r.accuracy)
        secs.append(time.perf_counter() - t)
    show("Fully connected network (course_mlp)", accs, comparison.COURSE_REPORTED["mlp"], statistics.median(secs))
    if not args.skip_cnn:
        accs, per_epoch = [], []
        for seed in [int(x) for x in args.cnn_seeds.split(",")]:
            a, s = cnn_accuracy(train, test, seed)
            accs.append(a)
            per_epoch.append(s)
        show("CNN (course_cnn), 10 epochs", accs, comparison.COURSE_REPORTED["cnn"], statistics.median(per_epoch))


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

"""Speed on one device (a CUDA GPU, or the CPU for comparison): issue 21 item 4's table.

    python -m bench.bench_device [--device cuda|cpu] [--quick]

Prints, for the default net (FastNet) on Sign Language Digits (the course split; the bundled
digits when the archive is not here; $CNN_EXPLORER_SIGN_DIGITS or ../shared/data):
  * time to 97% test accuracy with the default schedule, and to 99.5% with the long recipe
    (recipes.LONG_EPOCHS epochs), training seconds at the first epoch that reaches it, median of seeds;
  * epochs per second (the long recipe);
  * attribution latency per method on that device (median of repeats), occlusion at stride 4 and 1;
  * live-camera frames per second, when explorer/inspect/live.py is present (the camera is built
    in another branch; the row says "not in this checkout" otherwise).
--quick: one seed, short runs, few repeats (about a minute on the CPU): checks the script works.
bench/device_check.sh runs this after the GPU tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import time

import numpy as np
import torch

from bench.common import median, table
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import attribution, pixel_model
from explorer.models import from_spec
from explorer.train import device as devices
from explorer.train import recipes, training


def dataset() -> tuple[str, tuple]:
    try:
        return "sign-digits", datasets.split(datasets.load("sign-digits", download_missing=False), COURSE_SPLIT)
    except datasets.DatasetUnavailable:
        return "digits", datasets.split(datasets.load("digits"), COURSE_SPLIT)


def train(data: tuple, dev: str, seed: int, epochs: int | None) -> training.Finished:
    train_ds, test_ds = data
    opts = recipes.default_schedule(recipes.DEFAULT_MODEL) | ({"epochs": epochs} if epochs else {})
    cfg = training.TrainConfig(**opts, seed=seed, device=dev)
    torch.manual_seed(seed)
    model = from_spec.build(recipes.model_spec(recipes.DEFAULT_MODEL, train_ds))
    return next(ev for ev in training.train(cfg, train_ds, test_ds, model) if isinstance(ev, training.Finished))


def time_to(done: training.Finished, level: float) -> float:
    return next((h["seconds"] for h in done.history if h["test_accuracy"] >= level), math.inf)


def latency_ms(fn, repeat: int) -> float:
    fn()  # warm-up: cuDNN picks its kernels, the fused occlusion copy is made
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return 1000 * median(out)


def live_row(model: torch.nn.Module, shape: tuple, repeat: int) -> list:
    """Frames per second of the live camera's reader on a 640x480 frame, if this checkout has it."""
    if importlib.util.find_spec("explorer.inspect.live") is None:
        return ["live camera: frames/s (640x480 frame)", "explorer/inspect/live.py not in this checkout"]
    from explorer.inspect import live
    try:
        reader = live.LiveReader(model, shape)
        frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
        ms = latency_ms(lambda: reader.read(frame), repeat)
    except (AttributeError, TypeError) as exc:  # the module's interface differs from this bench's
        return ["live camera: frames/s (640x480 frame)", f"skipped: {type(exc).__name__}: {exc}"[:100]]
    return ["live camera: frames/s (640x480 frame)", f"{1000 / ms:.1f} ({ms:.1f} ms per frame)"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--device", default=devices.pick().type, help="cuda or cpu (default: the best available)")
    p.add_argument("--quick", action="store_true", help="one seed, short runs: a check that it works")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = p.parse_args()
    dev = torch.device(args.device)
    seeds = [0] if args.quick else args.seeds
    long_epochs = 2 if args.quick else recipes.LONG_EPOCHS
    repeat = 3 if args.quick else 15
    name, data = dataset()
    load = os.getloadavg()[0]
    short = [train(data, args.device, s, 1 if args.quick else None) for s in seeds]
    long = [train(data, args.device, s, long_epochs) for s in seeds]
    rows = [
        ["time to 97% (default schedule), training s", f"{median([time_to(d, 0.97) for d in short]):.2f}"],
        ["default schedule: test accuracy / training s",
         f"{median([d.test_accuracy for d in short]):.2%} / {median([d.seconds for d in short]):.2f}"],
        [f"time to 99.5% ({long_epochs}-epoch recipe), training s", f"{median([time_to(d, 0.995) for d in long]):.2f}"],
        [f"{long_epochs}-epoch recipe: test accuracy", f"{median([d.test_accuracy for d in long]):.2%}"],
        ["epochs per second", f"{median([d.epochs_done / d.seconds for d in long]):.1f}"],
    ]
    model = pixel_model.wrap(long[0].model, long[0].normalisation).to(dev).requires_grad_(False)
    shape = data[1].image_shape
    x = torch.as_tensor(data[1].images[:1]).to(dev)
    for method in attribution.METHODS:
        rows.append([f"attribution: {method}, ms",
                     f"{latency_ms(lambda m=method: attribution.attribute(model, x, 0, m), repeat):.1f}"])
    for stride in (4, 1):
        if shape[1] >= 8:
            ms = latency_ms(lambda s=stride: attribution.attribute(model, x, 0, "occlusion", window=8, stride=s), repeat)
            rows.append([f"attribution: occlusion 8x8 window, stride {stride}, ms", f"{ms:.1f}"])
    rows.append(live_row(model, shape, repeat))
    table(f"{devices.describe(dev)} on {name} (medians of seeds {seeds}; load {load:.1f} -> {os.getloadavg()[0]:.1f}; "
          f"torch {torch.__version__})", ["measure", "value"], rows)


if __name__ == "__main__":
    main()

"""Speed on one device (a CUDA GPU, or the CPU for comparison): issue 21 item 4's table.

    python -m bench.bench_device [--device cuda|cpu] [--quick]

Prints, for the default net (FastNet) on Sign Language Digits (the course split; the bundled
digits when the archive is not here; $CNN_EXPLORER_SIGN_DIGITS or ../shared/data):
  * time to 97% test accuracy with the default schedule, and to 99.5% with the long recipe
    (recipes.LONG_EPOCHS epochs), training seconds at the first epoch that reaches it, median of seeds;
  * on a GPU, the default schedule again with cuDNN adding in any order (PyTorch's plain setting;
    the app asks for the fixed order), and two runs of one seed in each order compared weight by weight;
  * epochs per second (the long recipe);
  * attribution latency per method on that device (median of repeats), occlusion at stride 4 and 1;
    on a GPU also how far each map is from the CPU's (cuDNN's default TF32, and full float32);
  * live-camera frames per second (a LiveReader on a 640x480 frame, the model on that device).
--quick: one seed, short runs, few repeats (about 20 s on the CPU): checks the script works.
bench/device_check.sh runs this after the GPU tests.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import time

import numpy as np
import torch

from bench.common import median, table
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import attribution, live, pixel_model
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


def free_order(data: tuple, dev: str, seeds: list[int]) -> list[training.Finished]:
    """The default schedule with cuDNN's default kernels, which add in any order (PyTorch's plain
    setting; training.train asks for the fixed order, devices.reproducible): what reproducible
    weights cost on this GPU."""
    fixed = devices.reproducible
    devices.reproducible = lambda device: None
    torch.backends.cudnn.deterministic = False
    try:
        return [train(data, dev, s, None) for s in seeds]
    finally:
        devices.reproducible = fixed
        fixed(torch.device(dev))


def weight_gap(a: training.Finished, b: training.Finished) -> float:
    """The largest difference between two runs' weights (0.0: the same to the bit); the
    parameters only (BatchNorm's running statistics are on other scales)."""
    pairs = zip(a.model.parameters(), b.model.parameters())
    return max(float((p.detach().double() - q.detach().double()).abs().max()) for p, q in pairs)


def accuracy_and_seconds(runs: list[training.Finished]) -> str:
    return f"{median([d.test_accuracy for d in runs]):.2%} / {median([d.seconds for d in runs]):.2f}"


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


def gap_to_cpu(cpu_model: torch.nn.Module, model: torch.nn.Module, x: torch.Tensor, method: str) -> str:
    """How far the device's map is from the CPU's: the largest difference over the CPU map's
    largest value, with cuDNN's default TF32 convolutions and in full float32."""
    on_cpu = attribution.attribute(cpu_model, x.cpu(), 0, method)
    scale = float(np.abs(on_cpu).max()) or 1.0
    gaps = []
    for tf32 in (True, False):
        with torch.backends.cudnn.flags(enabled=True, allow_tf32=tf32):
            gaps.append(float(np.abs(attribution.attribute(model, x, 0, method) - on_cpu).max()) / scale)
    return f"; off the CPU's map by {gaps[0]:.2%} (TF32) / {gaps[1]:.4%} (float32)"


def live_row(model: torch.nn.Module, shape: tuple, repeat: int) -> list:
    """Frames per second of the live camera's reader on a 640x480 frame."""
    reader = live.LiveReader(model, shape)
    frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    ms = latency_ms(lambda: reader.read(frame), repeat)
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
    compare_orders = dev.type == "cuda" and not args.quick
    short, free = [], []
    for s in seeds:  # in turns, so that the GPU's drift over time falls on both alike
        short.append(train(data, args.device, s, 1 if args.quick else None))
        free += free_order(data, args.device, [s]) if compare_orders else []
    # The same seed once more, in each order: does it train the same weights again?
    again = [train(data, args.device, seeds[0], None), free_order(data, args.device, seeds[:1])[0]] if free else []
    long = [train(data, args.device, s, long_epochs) for s in seeds]
    rows = [
        ["time to 97% (default schedule), training s", f"{median([time_to(d, 0.97) for d in short]):.2f}"],
        ["default schedule: test accuracy / training s", accuracy_and_seconds(short)],
        *([["the same, cuDNN adding in any order (not reproducible)", accuracy_and_seconds(free)],
           [f"seed {seeds[0]} twice: largest weight difference, fixed order / any order",
            f"{weight_gap(short[0], again[0]):.1e} / {weight_gap(free[0], again[1]):.1e}"
            + (f" (seeds {seeds[0]} and {seeds[1]}: {weight_gap(short[0], short[1]):.1e})" if len(seeds) > 1 else "")]]
          if free else []),
        [f"time to 99.5% ({long_epochs}-epoch recipe), training s", f"{median([time_to(d, 0.995) for d in long]):.2f}"],
        [f"{long_epochs}-epoch recipe: test accuracy", f"{median([d.test_accuracy for d in long]):.2%}"],
        ["epochs per second", f"{median([d.epochs_done / d.seconds for d in long]):.1f}"],
    ]
    cpu_model = pixel_model.wrap(long[0].model.cpu(), long[0].normalisation).requires_grad_(False)
    model = copy.deepcopy(cpu_model).to(dev)
    shape = data[1].image_shape
    x = torch.as_tensor(data[1].images[:1]).to(dev)
    for method in attribution.METHODS:
        ms = latency_ms(lambda m=method: attribution.attribute(model, x, 0, m), repeat)
        # SmoothGrad's noise comes from each device's own generator: its maps differ by design.
        gap = gap_to_cpu(cpu_model, model, x, method) if dev.type == "cuda" and method != "smoothgrad" else ""
        rows.append([f"attribution: {method}, ms", f"{ms:.1f}{gap}"])
    for stride in (4, 1):
        if shape[1] >= 8:
            ms = latency_ms(lambda s=stride: attribution.attribute(model, x, 0, "occlusion", window=8, stride=s), repeat)
            rows.append([f"attribution: occlusion 8x8 window, stride {stride}, ms", f"{ms:.1f}"])
    rows.append(live_row(model, shape, repeat))
    table(f"{devices.describe(dev)} on {name} (medians of seeds {seeds}; load {load:.1f} -> {os.getloadavg()[0]:.1f}; "
          f"torch {torch.__version__})", ["measure", "value"], rows)


if __name__ == "__main__":
    main()

"""Training speed of the default net on Sign Language Digits (course split), as the issue asks.

    CNN_EXPLORER_SIGN_DIGITS=/path/to/archive.zip python bench/bench_train.py [--threads 2] [--seeds 0 1 2 3 4]
        [--before /path/to/older/checkout] [--quick]

--before runs the same CLI from another checkout (e.g. `git worktree add /tmp/before main`) for
each seed too and prints the default schedule's figures side by side (issue 21: before -> after).
--quick: seeds 0 and 1, no long recipe, no overhead comparison (a check that it runs, ~1 min quiet).

Prints, per seed and as medians:
  * time to 97%: `python -m explorer.train` with the default schedule; the training seconds at
    the first epoch whose test accuracy reaches 97%, and the same moment on the wall clock after
    imports (data loading and set-up added);
  * the long recipe (recipes.LONG_EPOCHS epochs, the >= 99.5% one): test accuracy, training s;
  * seconds per epoch;
  * overhead of the app's loop (explorer.train.training.train: events, divergence checks, filter
    snapshots, per-epoch test evaluation) over a bare PyTorch loop doing the same training and
    the same per-epoch evaluation on the same net (target <= 10%).
CPU seconds (process time) are printed next to wall seconds: on a machine shared with other
work, wall clock is inflated and CPU time / threads is the better guide to an idle machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer import models
from explorer.data import datasets
from explorer.saved.model_card import Normalisation
from explorer.train import augment, recipes, training

EPOCH_LINE = re.compile(r"epoch .* test\s+(?P<test>[\d.]+)%\s+(?P<wall>[\d.]+) s\s+\(cpu (?P<cpu>[\d.]+) s\)")


def cli_run(seed: int, threads: int, epochs: int | None, out: Path, repo: Path = ROOT) -> dict:
    """One `python -m explorer.train` run (of the checkout `repo`): its JSON, (seconds, test
    accuracy) per epoch, and the process's wall clock from start to exit (imports included)."""
    cmd = [sys.executable, "-m", "explorer.train", "--seed", str(seed), "--threads", str(threads),
           "--out", str(out)] + (["--epochs", str(epochs)] if epochs else [])
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONPATH": str(repo)}
    c0 = os.times()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, check=True)
    process_wall = time.perf_counter() - t0
    c1 = os.times()
    lines = proc.stdout.strip().splitlines()
    curve = []  # (wall s, cpu s, test accuracy) per epoch
    for line in lines:
        m = EPOCH_LINE.match(line)
        if m:
            curve.append((float(m["wall"]), float(m["cpu"]), float(m["test"]) / 100))
    result = json.loads(lines[-1])
    result["curve"] = curve
    result["process_wall"] = process_wall
    result["cpu_seconds"] = (c1.children_user + c1.children_system) - (c0.children_user + c0.children_system)
    return result


def bare_loop(cfg: training.TrainConfig, train_ds, test_ds, model, clock=time.perf_counter) -> float:
    """The same training as explorer.train.training.train, written as a plain PyTorch loop."""
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    norm = Normalisation.of(train_ds.images)
    x, y = norm.apply(train_ds.images), torch.as_tensor(train_ds.labels)
    xt, yt = norm.apply(test_ds.images), torch.as_tensor(test_ds.labels)
    steps = len(x) // cfg.batch_size
    model = model.to(memory_format=torch.channels_last)  # as the app does
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.epochs * steps, pct_start=0.25)
    bf16 = getattr(cfg, "bf16", False) and training.bf16_pays()  # as the app decides
    start = clock()
    for _ in range(cfg.epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        for s in range(steps):
            idx = order[s * cfg.batch_size:(s + 1) * cfg.batch_size]
            xb = augment.random_affine(x[idx], cfg.max_shift, cfg.max_rotation, gen)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):  # as the app's recipe
                logits = model(xb)
            loss = F.cross_entropy(logits.float(), y[idx], label_smoothing=cfg.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        with torch.inference_mode():
            (model(xt).argmax(1) == yt).float().mean().item()
    return clock() - start


def app_loop(cfg, train_ds, test_ds, model, clock=time.perf_counter) -> float:
    start = clock()
    for _ in training.train(cfg, train_ds, test_ds, model):
        pass
    return clock() - start


def overhead(threads: int, epochs: int, repeats: int, clock=time.perf_counter) -> tuple[float, float, float]:
    """(median bare seconds, median app seconds, ratio app / bare), runs interleaved."""
    torch.set_num_threads(threads)
    train_ds, test_ds = datasets.split(datasets.load("sign-digits", download_missing=False))
    opts = {**recipes.default_schedule("fastnet"), "epochs": epochs}
    cfg = training.TrainConfig(**opts, threads=threads, device="cpu")
    spec = recipes.model_spec("fastnet", train_ds)
    bare, app = [], []
    for r in range(repeats):
        for fn, acc in ((bare_loop, bare), (app_loop, app)) if r % 2 == 0 else ((app_loop, app), (bare_loop, bare)):
            torch.manual_seed(0)
            acc.append(fn(cfg, train_ds, test_ds, models.build(spec["architecture"], **spec["options"]), clock))
    b, a = statistics.median(bare), statistics.median(app)
    return b, a, a / b


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--before", type=Path, help="another checkout to compare the default schedule with")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--overhead-epochs", type=int, default=3)
    p.add_argument("--overhead-repeats", type=int, default=3)
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="cpu: time training by process CPU time / threads, an estimate of an idle "
                        "machine's wall clock when other work shares the cores (use with --threads 1)")
    args = p.parse_args()
    if args.quick:
        args.seeds = args.seeds[:2]
    torch.set_num_threads(args.threads)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-train-{os.getpid()}"
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, torch {torch.__version__}, {args.threads} thread(s), "
          f"times by the {args.clock} clock; "
          f"load average at start {load:.1f}" + (" (CONTENDED: wall times are inflated)" if load > 1.5 else ""))
    col = 0 if args.clock == "wall" else 1
    scale = 1.0 if args.clock == "wall" else 1.0 / args.threads
    rows, before_rows = [], []
    for seed in args.seeds:
        if args.before:
            old = cli_run(seed, args.threads, None, out, args.before.resolve())
            before_rows.append(default_row(old, col, scale))
        short = cli_run(seed, args.threads, None, out)
        r = default_row(short, col, scale)
        if not args.quick:
            long = cli_run(seed, args.threads, recipes.LONG_EPOCHS, out)
            r |= {"long_acc": long["test_accuracy"], "long_s": long["curve"][-1][col] * scale,
                  "t995": next((c[col] * scale for c in long["curve"] if c[2] >= 0.995), math.inf)}
        rows.append(r)
        print(f"seed {seed}: " + ", ".join(f"{k} {v:.4g}" for k, v in r.items())
              + (f"; before: {before_rows[-1]['acc']:.2%} in {before_rows[-1]['train_s']:.2f} s, "
                 f"process {before_rows[-1]['process_s']:.2f} s" if args.before else ""), flush=True)
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    old = {k: statistics.median(r[k] for r in before_rows) for k in before_rows[0]} if before_rows else None
    seeds = ", ".join(map(str, args.seeds))

    def cell(key: str, fmt: str) -> str:
        return (f"{format(old[key], fmt)} -> " if old else "") + format(med[key], fmt)

    print()
    print(f"| measure (median of seeds {seeds}; {'before -> ' if old else ''}after) | value | target |")
    print("|---|---|---|")
    print(f"| default schedule: test accuracy | {cell('acc', '.2%')} | >= 98% |")
    print(f"| default schedule: training s | {cell('train_s', '.2f')} | <= 1.0 s |")
    print(f"| CLI process wall, imports and saving included, s | {cell('process_s', '.2f')} | <= 2.5 s |")
    print(f"| time to 97% test accuracy: training s | {cell('t97', '.2f')} | |")
    print(f"| seconds per epoch | {cell('s_epoch', '.3f')} | |")
    if "long_acc" in med:
        print(f"| {recipes.LONG_EPOCHS}-epoch recipe: test accuracy / training s / first epoch >= 99.5% at | "
              f"{med['long_acc']:.2%} / {med['long_s']:.1f} s / {med['t995']:.1f} s | >= 99.5% |")
    if not args.quick:
        clock = time.perf_counter if args.clock == "wall" else time.process_time
        bare, app, ratio = overhead(args.threads, args.overhead_epochs, args.overhead_repeats, clock)
        print(f"| app loop / bare PyTorch loop ({args.overhead_epochs} epochs) | {app:.1f} s / {bare:.1f} s = "
              f"{ratio:.3f} ({(ratio - 1):+.1%}) | <= +10% |")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


def default_row(run: dict, col: int, scale: float) -> dict:
    """The default schedule's figures of one CLI run."""
    # The run's own figure (2 decimals); the epoch lines print only one.
    seconds = (run["seconds"] if col == 0 else run["cpu_seconds"]) * scale
    return {"acc": run["test_accuracy"], "train_s": seconds, "process_s": run["process_wall"],
            "t97": next((c[col] * scale for c in run["curve"] if c[2] >= 0.97), math.inf),
            "s_epoch": seconds / max(run["epochs"], 1)}


if __name__ == "__main__":
    main()

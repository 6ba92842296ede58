"""Does a change of the training loop keep every weight? Trains the same recipe with `explorer`
from two checkouts, each in its own process, and compares the kept weights (torch.equal on
every state-dict tensor), every step's loss and learning rate and the saved history.

    python -m bench.bench_same_weights --before OTHER_CHECKOUT [--threads 2] [--seeds 0 1] [VARIANT ...]

OTHER_CHECKOUT: e.g. `git archive main | tar -x -C /tmp/before`. A VARIANT is JSON of TrainConfig
fields over FastNet's default schedule, as in bench_train_variants; its key "model" holds
bench/fastnet_variants.py options (e.g. '{"model": {"pool_first": true, "dropout": 0}}') and
"stop_after" stops the run after that many steps (the Stop button). Without a VARIANT: the
default recipe in bfloat16 and float32. Runtime: two 4-epoch runs per seed and variant (~10 s
of CPU at 2 threads).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def child(root: str, variant: str, seed: int, threads: int, out: str) -> None:
    """Train once with `explorer` from root and save what the run produced to out."""
    sys.path.insert(0, root)
    import torch

    from bench import fastnet_variants
    from explorer import models
    from explorer.data import datasets
    from explorer.train import recipes, training

    overrides = json.loads(variant)
    options, stop_after = overrides.pop("model", None), overrides.pop("stop_after", None)
    train_ds, test_ds = datasets.split(datasets.load("sign-digits", download_missing=False))
    cfg = training.TrainConfig(**{**recipes.default_schedule("fastnet"), **overrides},
                               threads=threads, device="cpu", seed=seed)
    spec = recipes.model_spec("fastnet", train_ds)
    torch.manual_seed(seed)
    net = (fastnet_variants.build(**{**spec["options"], **options}) if options
           else models.build(spec["architecture"], **spec["options"]))
    steps: list[list[float]] = []
    stop = (lambda: len(steps) >= stop_after) if stop_after else (lambda: False)
    for ev in training.train(cfg, train_ds, test_ds, net, stop):
        if isinstance(ev, training.Step):
            steps.append([ev.loss, ev.lr])
        done = ev
    numbers = [[row[k] for k in sorted(row) if k != "seconds"] for row in done.history]
    torch.save({"state": done.model.state_dict(), "steps": torch.tensor(steps, dtype=torch.float64),
                "history": torch.tensor(numbers, dtype=torch.float64),
                "result": torch.tensor([done.test_accuracy, done.best_epoch, done.epochs_done,
                                        done.validation_accuracy or -1], dtype=torch.float64)}, out)


def same(a: dict, b: dict) -> tuple[bool, str]:
    """(bit for bit the same, what differs)."""
    diff = [k for k in a["state"] if not torch_equal(a["state"][k], b["state"][k])]
    for part in ("steps", "history", "result"):
        if not torch_equal(a[part], b[part]):
            diff.append(part)
    return not diff, ", ".join(diff) or "-"


def torch_equal(x, y) -> bool:
    import torch
    return x.shape == y.shape and torch.equal(x, y)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("variants", nargs="*")
    p.add_argument("--before", type=Path, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--child", nargs=4, metavar=("ROOT", "VARIANT", "SEED", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        root, variant, seed, out = args.child
        child(root, variant, int(seed), args.threads, out)
        return
    import torch
    print(f"before: {args.before}, after: {HERE}, {args.threads} thread(s)")
    print("| variant | seed | the same bit for bit | differs | test accuracy before / after |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for variant in args.variants or ["{}", '{"bf16": false}']:
            for seed in args.seeds:
                runs = []
                for name, root in (("before", args.before.resolve()), ("after", HERE)):
                    out = f"{tmp}/{name}.pt"
                    subprocess.run([sys.executable, "-m", "bench.bench_same_weights", "--before", str(root),
                                    "--threads", str(args.threads), "--child", str(root), variant, str(seed), out],
                                   check=True, cwd=HERE)
                    runs.append(torch.load(out, weights_only=True))
                ok, what = same(*runs)
                acc = " / ".join(f"{r['result'][0].item():.2%}" for r in runs)
                print(f"| {variant} | {seed} | {'yes' if ok else 'NO'} | {what} | {acc} |", flush=True)


if __name__ == "__main__":
    main()

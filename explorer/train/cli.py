"""Headless training, e.g. for a teacher before class:

    python -m explorer.train --dataset sign-digits --model fastnet --epochs 10 --seed 0 [--out DIR]

Prints one progress line per epoch and ends with one JSON line holding test_accuracy, seconds
(training time), wall_seconds (after imports, data loading and saving included),
seconds_before_training (data loading and set-up), params and model (the saved model's id).
Without --model it trains the fast default net with its default schedule.

    python -m explorer.train --dataset digits --model course_cnn --epochs 3 --write-script train_cnn.py

writes, instead of training, a self-contained script (or a notebook, for a .ipynb name) that
trains that architecture with that schedule on the course's split (explorer/codegen/training.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

import torch

from explorer import limits, models
from explorer.data import datasets, signdigits
from explorer.data.types import COURSE_SPLIT
from explorer.models import from_spec
from explorer.saved import registry
from explorer.train import device, pace, recipes, runs, training

# No torch._dynamo here: every torch.optim optimizer imports it when created (as long as
# importing torch); the default recipe trains with explorer/train/optim.py instead, which needs
# none. Other optimizers import it at their first run.


PROG = "python -m explorer.train"
SEED_MAX = 2**32 - 1  # numpy's RandomState (the split) takes no larger seed


def whole(name: str, lo: int, hi: int):
    """An argparse type: a whole number from lo to hi, else a sentence (argparse exits with 2)."""
    def parse_whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number from {lo} to {hi:,}, not {text[:40]!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be from {lo} to {hi:,}, not {text[:40]}")
        return value
    return parse_whole


def model_name(text: str) -> str:
    text = text.strip()
    if not 1 <= len(text) <= limits.MODEL_NAME_CHARS:
        raise argparse.ArgumentTypeError(
            f"the name needs 1 to {limits.MODEL_NAME_CHARS} characters (it is shown in every "
            f"student's model list), not {len(text):,}")
    return text


def parse(argv: list[str] | None = None, prog: str = PROG) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default="sign-digits",
                   help="sign-digits, digits, or the path of a zip of class folders")
    p.add_argument("--model", default=recipes.DEFAULT_MODEL,
                   help=f"architecture: {', '.join(models.names(trainable_only=True))}")
    p.add_argument("--epochs", type=int, help="default: the architecture's schedule")
    p.add_argument("--seed", type=whole("the seed", 0, SEED_MAX), default=0)
    p.add_argument("--lr", type=float, help="(peak) learning rate; default: the architecture's")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--label-smoothing", type=float, help="0 to below 1; default: the architecture's")
    p.add_argument("--adversarial", type=float, default=0.0, metavar="EPSILON",
                   help="adversarial training: half of every batch replaced by its FGSM pictures with this "
                        "epsilon (pixels in 0-1, e.g. 0.1); default 0 = off")
    p.add_argument("--threads", type=whole("the number of threads", 1, limits.max_threads()),
                   help="CPU threads for torch (default: all cores)")
    p.add_argument("--no-augment", action="store_true", help="train without shifts and rotations")
    p.add_argument("--name", type=model_name, help="name shown on the Saved models page")
    p.add_argument("--out", type=Path, help="models folder (default: data/models)")
    p.add_argument("--quiet", action="store_true", help="only the final JSON line")
    p.add_argument("--optimizer", choices=training.OPTIMIZERS, help="default: the architecture's")
    p.add_argument("--schedule", choices=training.SCHEDULES, help="learning-rate schedule; default: the architecture's")
    p.add_argument("--write-script", type=Path, metavar="FILE",
                   help="write a self-contained training script (.py) or notebook (.ipynb) and exit")
    return p.parse_args(argv)


def load_data(name: str) -> tuple[str, datasets.Dataset]:
    if name in datasets.NAMES:
        return name, datasets.load(name)
    path = Path(name)
    if not path.exists():
        raise datasets.DatasetError(f"{name!r} is neither {' nor '.join(datasets.NAMES)} nor an existing zip.")
    return path.name, datasets.from_zip(path)


def config_for(args: argparse.Namespace) -> training.TrainConfig:
    opts = recipes.default_schedule(args.model)
    for key, value in (("epochs", args.epochs), ("lr", args.lr), ("batch_size", args.batch_size),
                       ("label_smoothing", args.label_smoothing),
                       ("optimizer", getattr(args, "optimizer", None)), ("schedule", getattr(args, "schedule", None))):
        if value is not None:
            opts[key] = value
    if args.no_augment:
        opts["augment"] = False
    if args.adversarial:
        opts["adversarial_epsilon"] = args.adversarial
    return training.TrainConfig(seed=args.seed, threads=device.set_threads(args.threads), **opts)


def progress_line(ev) -> str | None:
    if isinstance(ev, training.Started):
        return (f"training {ev.params:,} parameters on {ev.device}: {ev.train_size} train / "
                f"{ev.test_size} test images, {ev.epochs} epochs of {ev.steps_per_epoch} steps")
    if isinstance(ev, training.EpochEnd):
        return (f"epoch {ev.epoch:>3}/{ev.epochs}  loss {ev.train_loss:.3f}  train {ev.train_accuracy:6.1%}  "
                f"test {ev.test_accuracy:6.1%}  {ev.seconds:6.1f} s  (cpu {ev.cpu_seconds:.1f} s)")
    if isinstance(ev, training.Diverged):
        return ev.message
    return None


def check_out(out: Path | None) -> None:
    """Refuse an --out folder the models cannot be written to before any training."""
    folder = out if out is not None else registry.models_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ValueError(f"cannot save models in {str(folder)[:200]}: {exc.strerror or exc}. "
                         "Choose a folder you can write to with --out.") from None


def check_fits(architecture: str, dataset_name: str, ds: datasets.Dataset) -> dict:
    """The model spec, or ValueError saying why this architecture cannot take these pictures
    and which ones can."""
    spec = recipes.model_spec(architecture, ds)
    try:
        from_spec.build(spec)
    except from_spec.SpecError as exc:
        reason = str(exc.__cause__ or exc)
        c, h, w = ds.image_shape
        fitting = [n for n in models.names(trainable_only=True) if n != architecture and _builds(n, ds)]
        raise ValueError(
            f"--model {architecture} cannot train on {dataset_name} ({c}x{h}x{w} pictures): {reason} "
            f"Models that fit these pictures: {', '.join(fitting) or 'none'}; or use larger pictures "
            "(--dataset sign-digits is 64x64).") from None
    return spec


def _builds(architecture: str, ds: datasets.Dataset) -> bool:
    try:
        from_spec.build(recipes.model_spec(architecture, ds))
        return True
    except from_spec.SpecError:
        return False


def write_script(args: argparse.Namespace, dataset_name: str, ds: datasets.Dataset,
                 config: training.TrainConfig) -> int:
    """Write the training script (or notebook) for these settings; 2 with a reason when the
    architecture or dataset cannot be written out."""
    from dataclasses import asdict

    from explorer.codegen import architecture, script
    from explorer.codegen import training as training_code
    from explorer.models import from_spec

    if dataset_name not in datasets.NAMES:
        print("error: a script can load only the built-in datasets (sign-digits, digits).", file=sys.stderr)
        return 2
    try:
        with torch.device("meta"):
            network = architecture.module_code(from_spec.build(recipes.model_spec(args.model, ds)))
    except from_spec.SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if network is None:
        print(f"error: {args.model} is not a plain stack of PyTorch layers; no script can be written for it.",
              file=sys.stderr)
        return 2
    s = training_code.script(network, models.info(args.model).title, dataset_name, COURSE_SPLIT.test_size,
                             COURSE_SPLIT.random_state, asdict(config),
                             f"{args.write_script.stem}.safetensors")
    text = script.notebook(s) if args.write_script.suffix == ".ipynb" else s.code
    args.write_script.write_text(text)
    print(f"wrote {args.write_script}", flush=True)
    return 0


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    """`prog` is how the user started us (`cnn-explorer train` when installed), for messages."""
    start = time.perf_counter()
    args = parse(argv, prog)
    try:
        models.info(args.model)
        check_out(args.out)
        dataset_name, ds = load_data(args.dataset)
        config = config_for(args)
        spec = check_fits(args.model, dataset_name, ds)
    except datasets.DatasetUnavailable as exc:
        # The web page's wording ends in "reload"; here the advice is a command to type.
        print(f"error: {signdigits.command_line_message(exc.reason, prog)}", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as exc:  # DatasetError is a ValueError
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    if args.write_script:
        return write_script(args, dataset_name, ds, config)
    train_ds, test_ds = datasets.split(ds, COURSE_SPLIT)
    request = runs.TrainRequest(
        spec, config, dataset_name, train_ds, test_ds,
        COURSE_SPLIT, args.name or recipes.default_name(args.model, dataset_name),
        args.out)

    before_training = 0.0

    def emit(ev):
        nonlocal before_training
        if isinstance(ev, training.Started):
            before_training = time.perf_counter() - start
        line = progress_line(ev)
        if line and not args.quiet:
            print(line, flush=True)

    outcome = runs.run(request, emit, predictions=False)  # the JSON line needs no per-picture figures
    done = outcome.finished
    measured = pace.from_history(list(done.history))
    if args.model == pace.COURSE_ARCHITECTURE and measured is not None and not args.quiet:
        print(measured.sentence(device.describe())
              .replace("**", ""), flush=True)
    print(json.dumps({
        "test_accuracy": round(done.test_accuracy, 4),
        "seconds": round(done.seconds, 2),
        "cpu_seconds": round(done.cpu_seconds, 2),
        "wall_seconds": round(time.perf_counter() - start, 2),
        "seconds_before_training": round(before_training, 2),
        "params": training.count_params(done.model),
        "model": outcome.saved.id if outcome.saved else None,
        "path": str(outcome.saved.path) if outcome.saved else None,
        "architecture": args.model,
        "dataset": dataset_name,
        "epochs": done.epochs_done,
        "seed": args.seed,
        "diverged": done.diverged,
    }), flush=True)
    return 1 if done.diverged else 0


def leave(code: int) -> NoReturn:
    """End the process with `code` without Python's own shutdown, which after `import torch`
    spends 0.4-0.5 s collecting the interpreter's objects one by one: a tenth of a default run
    from the command line (2-core Intel Xeon, bench/README.md "Round 6"). Nothing is lost: the
    model's files are closed and renamed into place by then (explorer/saved/registry.py), and the
    output streams and log handlers are flushed here."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a closed stream: nothing left to tell
            pass
    os._exit(code)


if __name__ == "__main__":
    leave(main())

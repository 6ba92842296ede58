"""Training a small CNN: `train(config, train_ds, test_ds)` yields events, knows nothing of UIs.

The page, the background job and the command line all consume the same iterator of small
frozen event dataclasses (Started, Step, EpochEnd, Diverged, Finished). The same code runs on
CUDA, Apple MPS or the CPU (explorer.train.device.pick()).
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from explorer import random_state
from explorer.data.types import Dataset
from explorer.saved.model_card import Normalisation
from explorer.train import adversarial, augment, optim
from explorer.train import batches as batches_
from explorer.train import device as devices

OPTIMIZERS = ("adamw", "adam", "sgd")
SCHEDULES = ("one-cycle", "cosine", "constant")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run (besides the data and the architecture)."""

    epochs: int = 12
    batch_size: int = 64
    optimizer: str = "adamw"
    lr: float = 0.01  # the peak learning rate for one-cycle
    schedule: str = "one-cycle"
    weight_decay: float = 5e-4
    augment: bool = True
    max_shift: float = 0.1  # fraction of the image size
    max_rotation: float = 10.0  # degrees
    seed: int = 0
    threads: int | None = None  # torch threads on the CPU; None leaves the setting alone
    device: str | None = None  # None: the best available (CUDA, MPS, CPU)
    label_smoothing: float = 0.0
    channels_last: bool = True  # oneDNN's faster layout for small convolutions on the CPU
    # Adversarial training: this share of every batch is replaced by its FGSM examples made
    # with this epsilon (in pixels in [0, 1]); 0 turns it off. See explorer/train/adversarial.py.
    adversarial_epsilon: float = 0.0
    adversarial_fraction: float = 0.5
    # Share of the training images held out as a validation set: it picks the weights kept
    # when a run is stopped or diverges, so the test images stay an untouched final measure.
    validation: float = 0.1
    # Mixed precision on the CPU: convolutions in bfloat16 where that is faster (a CPU with AMX,
    # bf16_pays), weights and updates in float32. Ignored elsewhere.
    bf16: bool = False

    @property
    def adversarial_share(self) -> float:
        """The share of every batch swapped for its FGSM pictures (0: no adversarial training)."""
        return self.adversarial_fraction if self.adversarial_epsilon > 0 else 0.0

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, not {self.schedule!r}")
        if self.epochs < 1 or self.batch_size < 1 or not self.lr > 0:
            raise ValueError("epochs and batch size must be at least 1 and the learning rate positive")
        if not 0 <= self.label_smoothing < 1:
            raise ValueError("label smoothing must be at least 0 and below 1")
        if not 0 <= self.adversarial_epsilon <= 1 or not 0 <= self.adversarial_fraction <= 1:
            raise ValueError("the adversarial epsilon and the share of adversarial pictures must be between 0 and 1")
        if not 0 <= self.validation < 0.5:
            raise ValueError("the validation share must be at least 0 and below 0.5")


# ---- events ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Started:
    epochs: int
    steps_per_epoch: int
    train_size: int
    test_size: int
    device: str
    params: int
    validation_size: int = 0  # held out of the training images (0: no validation set)
    # What makes the training loss read higher than the test loss (the results page says which)
    augmented: bool = False  # training pictures shifted and turned
    dropout: bool = False  # a dropout layer with p > 0 switches units off in training
    label_smoothing: float = 0.0  # training targets smoothed; the test loss uses the true labels
    adversarial: float = 0.0  # share of every batch swapped for its FGSM pictures (0: none)


@dataclass(frozen=True)
class Step:
    epoch: int  # 1-based
    step: int  # 1-based within the epoch
    steps: int  # per epoch
    loss: float
    lr: float
    seconds: float  # since training started


@dataclass(frozen=True)
class EpochEnd:
    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float  # on the (augmented) batches seen during the epoch
    test_loss: float
    test_accuracy: float
    lr: float
    seconds: float
    cpu_seconds: float = 0.0  # process CPU time since training started (robust on a busy machine)
    validation_loss: float | None = None  # None: no validation set
    validation_accuracy: float | None = None

    def row(self) -> dict:
        """One row of the history saved with the model."""
        row = {"epoch": self.epoch, "train_loss": self.train_loss, "train_accuracy": self.train_accuracy,
               "test_loss": self.test_loss, "test_accuracy": self.test_accuracy, "lr": self.lr,
               "seconds": self.seconds}
        if self.validation_accuracy is not None:
            row |= {"validation_loss": self.validation_loss, "validation_accuracy": self.validation_accuracy}
        return row


@dataclass(frozen=True)
class Diverged:
    epoch: int
    step: int
    loss: float
    lr: float
    message: str  # for people: what happened and what to change


@dataclass(frozen=True, eq=False)
class Finished:
    """The last event. `model` holds the kept weights (on the CPU, in eval mode)."""

    model: nn.Module
    test_accuracy: float  # of the kept weights, measured once they were chosen
    best_epoch: int  # the epoch whose weights were kept (0: stopped before the first epoch ended)
    epochs_done: int
    seconds: float
    stopped: bool
    diverged: bool
    cpu_seconds: float = 0.0
    history: tuple = ()  # EpochEnd.row() dicts
    filters: np.ndarray | None = field(default=None, repr=False)  # (snapshots, out, in, k, k)
    normalisation: Normalisation | None = None
    validation_accuracy: float | None = None  # of the kept weights (None: no validation set)
    validation_size: int = 0
    kept_part_epoch: bool = False  # the kept weights are those at the stop, part-way through best_epoch


Event = Started | Step | EpochEnd | Diverged | Finished


# ---- helpers --------------------------------------------------------------------------------

def first_conv(model: nn.Module) -> nn.Conv2d | None:
    return next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@torch.inference_mode()
def predict_proba(model: nn.Module, images: np.ndarray, norm: Normalisation, batch: int = 64) -> np.ndarray:
    """Class probabilities (N, K) for images (N, C, H, W) in [0, 1], on the model's device."""
    model.eval()
    dev = next(model.parameters()).device
    out = [F.softmax(model(norm.apply(images[i:i + batch]).to(dev)), dim=1).cpu()
           for i in range(0, len(images), batch)]
    return torch.cat(out).numpy()


@torch.inference_mode()
def _evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 64) -> tuple[float, float]:
    """(mean loss, accuracy) on already normalised tensors.

    Batches of 64, not all at once: larger activations are fresh mmap'd memory for glibc's
    malloc every time; the page faults made evaluation ~25% slower (FastNet, 413 images), and
    batches of 64 took 0.68x the time of 128 (578 images, 1 thread, float32).
    """
    model.eval()
    loss, correct = 0.0, 0
    for i in range(0, len(x), batch):
        logits = model(x[i:i + batch]).float()  # float32 logits also under bfloat16 autocast
        loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
        correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    return loss / max(len(x), 1), correct / max(len(x), 1)


def _optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9, nesterov=True,
                               weight_decay=cfg.weight_decay)
    cls = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.Adam
    return cls(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


ONE_CYCLE_WARMUP = 0.25  # share of the steps spent raising the learning rate


class _Nothing:
    def step(self) -> None:
        pass


def _optimizer_and_schedule(model: nn.Module, cfg: TrainConfig, total_steps: int):
    """(optimizer, scheduler); AdamW on one-cycle (the default recipe) without torch.optim,
    whose import of the compiler costs a second of a command-line run (explorer/train/optim.py)."""
    if cfg.optimizer == "adamw" and cfg.schedule == "one-cycle" and total_steps >= 4:
        warmup = max(ONE_CYCLE_WARMUP, 2 / total_steps)
        return optim.OneCycleAdamW(model.parameters(), cfg.lr, total_steps, warmup, cfg.weight_decay), _Nothing()
    opt = _optimizer(model, cfg)
    return opt, _scheduler(opt, cfg, total_steps)


def _scheduler(opt: torch.optim.Optimizer, cfg: TrainConfig, total_steps: int):
    if cfg.schedule == "one-cycle" and total_steps < 4:
        # Too few steps for a warm-up and a descent (a tiny dataset, one epoch): keep the peak.
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    if cfg.schedule == "one-cycle":
        # PyTorch divides by the warm-up's length in steps minus one: it needs at least two
        # warm-up steps (4 steps in all raised ZeroDivisionError; 2 classes x 5 images with
        # the default 4 epochs of one batch is exactly that).
        warmup = max(ONE_CYCLE_WARMUP, 2 / total_steps)
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=total_steps,
                                                   pct_start=warmup)
    if cfg.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)


def stop_message(done: Finished) -> str:
    """What a stopped run kept, in words: which epoch's weights and chosen on what.

    The page used to say "stopped after 2 full epochs; the best model so far (epoch 3) was
    kept" when the kept weights were those at the stop, part-way through epoch 3 (issue #14).
    """
    full = f"{done.epochs_done} full epoch{'s' if done.epochs_done != 1 else ''}"
    during = f"during epoch {done.epochs_done + 1}" if done.stopped else ""
    head = f"Stopped {during} after {full}." if done.epochs_done else f"Stopped {during} before an epoch ended."
    if done.kept_part_epoch:
        which = f"the weights at the moment of the stop, part-way through epoch {done.best_epoch}"
    else:
        which = f"the weights at the end of epoch {done.best_epoch}"
    if done.validation_size:
        why = (f"they scored best on the {done.validation_size} validation images held out of the "
               f"training data ({done.validation_accuracy:.1%})")
        return (f"{head} Kept {which}: {why}. The test accuracy below was measured once, on "
                "these weights; the test images chose nothing.")
    return f"{head} Kept {which} (no validation images to choose on: the training set is too small)."


def divergence_limit(num_classes: int) -> float:
    """A loss above this means training has blown up: ten times the loss of a blind guess."""
    return 10.0 * math.log(max(num_classes, 2))


def divergence_message(loss: float, lr: float, epoch: int, step: int) -> str:
    what = "became NaN/infinite" if not math.isfinite(loss) else f"exploded to {loss:.3g}"
    return (f"Training stopped: the loss {what} at epoch {epoch}, step {step}. The learning rate "
            f"({lr:.3g}) is probably too high for this model: the weights overshoot and grow "
            "without bound. Try a learning rate ten times smaller, or add batch-norm.")


def carve_validation(train_ds: Dataset, share: float, seed: int) -> tuple[Dataset, Dataset | None]:
    """(images to fit, validation images): `share` of train_ds, drawn at random with `seed`.
    No validation set (None) when share is 0 or fewer than 20 images would remain."""
    n = len(train_ds)
    n_val = math.ceil(share * n)
    if n_val == 0 or n - n_val < 20:
        return train_ds, None
    order = np.random.RandomState(seed).permutation(n)
    return train_ds.subset(np.sort(order[n_val:]), ":fit"), train_ds.subset(np.sort(order[:n_val]), ":validation")


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX-512 BF16 or AMX) through oneDNN."""
    return torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def bf16_pays() -> bool:
    """Whether bfloat16 trains faster than float32 on this CPU: only with AMX's matrix units.
    With AVX-512 BF16 alone FastNet's default run took longer in bfloat16 (medians over seeds
    0-4, 2 threads: 2.72 s against 2.19 s on an Intel Xeon without AMX, 1.63 s against 1.46 s
    on an AMD EPYC); with AMX 1.1-1.2x shorter (bench/README.md, issue 21)."""
    amx = getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)  # private: absent in older torch
    return native_bf16() and bool(amx())


def bf16_autocast(dev: torch.device):
    """bfloat16 autocast on a CPU where it is faster than float32 (bf16_pays), else None (GPUs
    keep float32 here: their speed is not the problem)."""
    if dev.type != "cpu" or not bf16_pays():
        return None
    return torch.autocast("cpu", dtype=torch.bfloat16)


# ---- the loop -------------------------------------------------------------------------------

DROPOUT_LAYERS = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout)


def has_dropout(model: nn.Module) -> bool:
    """Whether a layer of the network switches units off at random in training (p > 0)."""
    return any(isinstance(m, DROPOUT_LAYERS) and m.p > 0 for m in model.modules())


def train(config: TrainConfig, train_ds: Dataset, test_ds: Dataset, model: nn.Module,
          should_stop: Callable[[], bool] = lambda: False) -> Iterator[Event]:
    """Train `model` on train_ds, evaluating on test_ds after every epoch.

    `config.validation` of train_ds is held out first (the validation set) and never trained
    on. Yields Started, then Step per batch and EpochEnd per epoch, Diverged if the loss
    becomes NaN or explodes, and always a last Finished. `should_stop()` is checked every
    step; a stop keeps the best weights so far by VALIDATION accuracy, as does divergence
    (the test images never choose anything: Finished.test_accuracy is measured on the kept
    weights afterwards). A run that completes keeps its final weights (the end of the schedule).
    """
    if config.threads:
        devices.own_threads(config.threads)
    gen = torch.Generator().manual_seed(config.seed)
    dev = torch.device(config.device) if config.device else devices.pick()
    devices.reproducible(dev)
    dropout = has_dropout(model)
    # PyTorch draws dropout masks from the global generator only: the run keeps its own place in it.
    masks = random_state.Stream.starting(config.seed, dev) if dropout else None
    fit_ds, val_ds = carve_validation(train_ds, config.validation, config.seed)
    norm = Normalisation.of(fit_ds.images)
    x_train = norm.apply(fit_ds.images).to(dev)
    y_train = torch.as_tensor(fit_ds.labels).to(dev)
    # The loop reads only the normalised tensor from here on: the carved copy of the training
    # pictures (23 MB for Sign Language Digits) would stay alive for the whole run.
    del fit_ds
    mean, std = norm.tensors(x_train.dtype, dev)
    if val_ds is not None:
        x_val = norm.apply(val_ds.images).to(dev)
        y_val = torch.as_tensor(val_ds.labels).to(dev)
    x_test = norm.apply(test_ds.images).to(dev)
    y_test = torch.as_tensor(test_ds.labels).to(dev)
    model = model.to(dev)
    if config.channels_last:
        model = model.to(memory_format=torch.channels_last)
    autocast = bf16_autocast(dev) if config.bf16 else None
    moving = config.augment and augment.active(config.max_shift, config.max_rotation)
    moves = (config.max_shift, config.max_rotation) if moving else None
    # FastNet's first layer, a fixed 2x2 average pool, is applied apart from the model: to the
    # test and validation pictures once per run, to the training pictures a few batches at once
    # (explorer/train/batches.py); `rest` is the model after it. The same figures bit for bit.
    stem = batches_.leading_pool(model)
    rest = model[1:] if stem is not None else model
    if stem is not None:
        x_test = stem(x_test)
        x_val = stem(x_val) if val_ds is not None else None
    pool = stem if config.adversarial_epsilon <= 0 else None  # adversarial examples need the whole model
    forward = rest if pool is not None else model
    n, bs = len(x_train), config.batch_size
    steps = max(1, n // bs) if n >= bs else 1  # drop the ragged last batch (batch-norm)
    opt, sched = _optimizer_and_schedule(model, config, config.epochs * steps)
    limit = divergence_limit(len(train_ds.classes))
    conv = first_conv(model)
    snapshots = [conv.weight.detach().cpu().numpy().copy()] if conv is not None else []
    best = (-1.0, 0, None, False)  # (validation accuracy, epoch, state_dict, part-epoch)
    history: list[dict] = []
    n_val = 0 if val_ds is None else len(val_ds)
    where = devices.describe(dev) + (", bfloat16 arithmetic" if autocast else "")
    yield Started(config.epochs, steps, n, len(x_test), where, count_params(model), n_val,
                  moves is not None, dropout, config.label_smoothing, config.adversarial_share)
    start, cpu_start = time.perf_counter(), time.process_time()
    stopped = diverged = False
    epoch = 0
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.randperm(n, generator=gen).to(dev)
        loss_sum = torch.zeros((), device=dev)
        correct = torch.zeros((), device=dev, dtype=torch.long)
        batches = batches_.prepared(x_train, y_train, order, steps, bs, moves, gen, pool)
        for step, (xb, yb) in enumerate(batches, 1):
            with masks.drawing() if masks else contextlib.nullcontext():
                if config.adversarial_epsilon > 0:
                    xb = adversarial.mixed(model, xb, yb, config.adversarial_epsilon,
                                           config.adversarial_fraction, mean, std)
                with autocast or contextlib.nullcontext():
                    logits = forward(xb)
            loss = F.cross_entropy(logits.float(), yb, label_smoothing=config.label_smoothing)
            value = loss.item()
            lr = opt.param_groups[0]["lr"]
            if not math.isfinite(value) or value > limit:
                diverged = True
                yield Diverged(epoch, step, value, lr, divergence_message(value, lr, epoch, step))
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.detach() * len(yb)
            correct += (logits.argmax(1) == yb).sum()
            yield Step(epoch, step, steps, value, lr, time.perf_counter() - start)
            if should_stop():
                stopped = True
                break
        if diverged:
            break
        if stopped:  # a part-epoch: keep it only if it beats the best full epoch on validation
            acc = _evaluate(rest, x_val, y_val)[1] if val_ds is not None else -1.0
            if acc > best[0] or best[2] is None and not history:
                best = (acc, epoch, copy.deepcopy(model.state_dict()), True)
            break
        seen = steps * bs if n >= bs else n
        # The epochs before the last are measured in bfloat16 when the run computes in it (about
        # two thirds of float32's CPU time for FastNet's 578 pictures: the evaluations went from
        # 13% to 10% of a 4-epoch run); the last epoch's figures, which the run reports and
        # saves, in float32 on the weights it keeps.
        with autocast if autocast is not None and epoch < config.epochs else contextlib.nullcontext():
            test_loss, test_acc = _evaluate(rest, x_test, y_test)
            val_loss, val_acc = _evaluate(rest, x_val, y_val) if val_ds is not None else (None, None)
        if conv is not None:
            snapshots.append(conv.weight.detach().cpu().numpy().copy())
        ev = EpochEnd(epoch, config.epochs, loss_sum.item() / seen, correct.item() / seen,
                      test_loss, test_acc, opt.param_groups[0]["lr"], time.perf_counter() - start,
                      time.process_time() - cpu_start, val_loss, val_acc)
        history.append(ev.row())
        yield ev
        if not math.isfinite(test_loss):
            diverged = True
            msg = divergence_message(test_loss, ev.lr, epoch, steps)
            yield Diverged(epoch, steps, test_loss, ev.lr, msg)
            break
        # Without a validation set the latest full epoch counts as the best (nothing to choose on).
        score = val_acc if val_acc is not None else float(epoch)
        if score >= best[0] if val_acc is None else score > best[0]:
            best = (score, epoch, copy.deepcopy(model.state_dict()) if config.epochs > epoch else None, False)
    keep_best = (stopped or diverged) and best[2] is not None
    if keep_best:
        model.load_state_dict(best[2])
    final_epoch = best[1] if keep_best else len(history)
    part = keep_best and best[3]
    # The test images are looked at once, on the weights already chosen. A run that completed
    # keeps the weights its last epoch was just measured on: those figures stand.
    if not (stopped or diverged) and history:
        final_acc, final_val = history[-1]["test_accuracy"], history[-1].get("validation_accuracy")
    else:
        final_acc = _evaluate(rest, x_test, y_test)[1] if (history or part) else 0.0
        final_val = (_evaluate(rest, x_val, y_val)[1] if val_ds is not None and (history or part) else None)
    model = model.to("cpu").eval()
    yield Finished(model, float(final_acc), final_epoch, len(history), time.perf_counter() - start,
                   stopped, diverged, time.process_time() - cpu_start, tuple(history),
                   np.stack(snapshots) if snapshots else None, norm, final_val, n_val, part)

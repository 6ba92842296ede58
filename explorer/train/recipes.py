"""What a training run is made of besides the data: the model for a dataset, its default
schedule, and the metadata saved with it. Shared by the Train page, jobs and the CLI.
"""

from __future__ import annotations

import numpy as np

from explorer import models
from explorer.data.types import Dataset, Split
from explorer.models import builder
from explorer.saved.model_card import ModelCard, Validation
from explorer.train import training

DEFAULT_MODEL = "fastnet"
# Per-architecture defaults (TrainConfig fields); the course nets use the course's plain Adam
# without augmentation. fastnet's is tuned for >= 98% in 4 epochs (bench/README.md, issue 21): over
# seeds 0-4 (course split, 2 threads), the pool-first layout with label smoothing 0.2 and no
# dropout ended at 98.6-99.0% (median 98.8%) in about 80% of the time of the earlier layout with
# label smoothing 0.1 and dropout 0.1 (97.6-98.8%, median 98.1%); 3 epochs of it ended at a median
# of 97.8%, and narrower nets, larger batches, an earlier 4x downsampling and progressive resizing
# all ended lower. Peak rate 0.04 beat 0.02 at the same cost. bf16: its layers in bfloat16 where
# that is faster (a CPU with AMX, training.bf16_pays): the same median as float32, 1.1-1.2x faster.
SCHEDULES = {
    "fastnet": dict(epochs=4, batch_size=32, optimizer="adamw", lr=0.04, schedule="one-cycle",
                    weight_decay=5e-4, augment=True, label_smoothing=0.2, bf16=True),
    # The course's own schedule (section 2.4): Adam at Keras's default rate 0.001, batch 128,
    # 10 epochs, no augmentation.
    "course_cnn": dict(epochs=10, batch_size=128, optimizer="adam", lr=1e-3, schedule="constant",
                       weight_decay=0.0, augment=False),
    "compact_cnn": dict(epochs=10, batch_size=32, optimizer="adam", lr=1e-3, schedule="constant",
                        weight_decay=0.0, augment=False),
    "course_mlp": dict(epochs=10, batch_size=32, optimizer="adam", lr=1e-3, schedule="constant",
                       weight_decay=0.0, augment=False),
    "lenet5": dict(epochs=15, batch_size=32, optimizer="adam", lr=2e-3, schedule="one-cycle",
                   weight_decay=0.0, augment=True),
    "tinyvgg": dict(epochs=12, batch_size=32, optimizer="adam", lr=2e-3, schedule="one-cycle",
                    weight_decay=0.0, augment=True),
    "custom": dict(epochs=10, batch_size=64, optimizer="adamw", lr=5e-3, schedule="one-cycle",
                   weight_decay=5e-4, augment=True),
}


# The default net's recipe for its best accuracy rather than its speed: the default schedule
# stretched to 10 epochs. Whether 8 were enough depended on the CPU (its kernels add up in their
# own order, so a seed ends differently): on a 2-core Intel Xeon 8 epochs ended at a median of
# 100% (2 threads) and 99.5% (1 thread), on a 2-core AMD EPYC (Zen 5) at 99.3% for seeds 0-4 and
# again for seeds 5-9 (2 threads). 10 epochs gave a median of 99.5% in all three sets there
# (99.3-100%), 12 no higher for 20% more time (bench/README.md, issue 21, round 17).
LONG_EPOCHS = 10


def default_schedule(architecture: str) -> dict:
    return dict(SCHEDULES.get(architecture, SCHEDULES["custom"]))


def model_spec(architecture: str, ds: Dataset, options: dict | None = None,
               layers: list[dict] | None = None) -> dict:
    """meta["spec"] for an architecture trained on ds (its channels, size and classes)."""
    c, h, w = ds.image_shape
    if architecture == "custom":
        return builder.spec(layers if layers is not None else builder.DEFAULT, [c, h, w], len(ds.classes))
    opts = {"in_channels": c, "num_classes": len(ds.classes), "input_size": [h, w],
            **models.current_options(architecture), **(options or {})}
    return {"architecture": architecture, "options": opts}


def card_for(name: str, spec: dict, dataset_name: str, train_ds: Dataset, split: Split,
             config: training.TrainConfig, done: training.Finished) -> ModelCard:
    """Everything saved in meta.json next to the weights of a finished run."""
    return ModelCard(
        name=name,
        architecture=spec["architecture"],
        title=models.info(spec["architecture"]).title if spec["architecture"] != "custom" else "Custom CNN",
        spec=spec,
        dataset=dataset_name,
        split=split,
        classes=tuple(train_ds.classes),
        input_size=tuple(train_ds.image_shape),
        normalisation=done.normalisation,
        history=tuple(done.history),
        test_accuracy=done.test_accuracy,
        best_epoch=done.best_epoch,
        validation=Validation(done.validation_size, done.validation_accuracy) if done.validation_size else None,
        params=training.count_params(done.model),
        train_seconds=round(done.seconds, 2),
        epochs=done.epochs_done,
        stopped_early=done.stopped,
        config={k: v for k, v in config.__dict__.items() if k not in ("threads", "device", "channels_last")},
    )


def default_name(architecture: str, dataset_name: str, taken=()) -> str:
    """'fastnet on sign-digits'; with `taken` (names already saved) a free one: a re-upload of
    the same zip trained again becomes 'fastnet on my-photos (2)', not a second identical entry."""
    base = f"{architecture} on {dataset_name}"
    used = set(taken)
    if base not in used:
        return base
    n = 2
    while f"{base} ({n})" in used:
        n += 1
    return f"{base} ({n})"


def confusion(labels: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    """(k, k) counts: row = true class, column = predicted class."""
    return np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k)


def top_confusions(matrix: np.ndarray, n: int) -> list[tuple[int, int, int]]:
    """The n most frequent mistakes as (true, predicted, count), most frequent first; only
    pairs that happened."""
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    flat = np.argsort(-off, axis=None, kind="stable")[:n]
    k = matrix.shape[0]
    return [(int(i // k), int(i % k), int(off.flat[i])) for i in flat if off.flat[i] > 0]

"""A training run's request and outcome: what the Train page, the CLI and a Dask worker
exchange (explorer/train/runs.py runs it, explorer/train/cluster.py sends it to a worker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from explorer.data.types import Dataset, Split
from explorer.saved import registry
from explorer.train import training


@dataclass(frozen=True, eq=False)
class TrainRequest:
    spec: dict  # registry spec (architecture + options, or the builder's layers)
    config: training.TrainConfig
    dataset_name: str
    train_ds: Dataset
    test_ds: Dataset
    split: Split
    name: str
    root: Path | None = None  # registry folder (None: data/models)
    owner: str = ""  # ownership.owner_tag of the session that asked (who may rename or delete it)


@dataclass(frozen=True, eq=False)
class TrainOutcome:
    """What a finished run leaves: the saved model (None when nothing was worth keeping) and
    the kept model's predictions on the test images."""

    finished: training.Finished
    saved: registry.SavedModel | None
    probabilities: np.ndarray  # (N_test, K); N_test is 0 when runs.run was asked for no predictions
    labels: np.ndarray  # (N_test,)
    images: np.ndarray = field(repr=False)  # (N_test, C, H, W) uint8, for galleries
    classes: tuple[str, ...] = ()
    diverged: training.Diverged | None = None

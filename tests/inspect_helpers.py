"""Small saved models for the Inspect tests: trained for a second on the bundled digits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import torch

from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.models import from_spec
from explorer.saved import registry
from explorer.saved.model_card import ModelCard
from explorer.train import recipes, runs, training


@lru_cache(maxsize=1)
def digits_split():
    return datasets.split(datasets.load("digits"))


def save_digits_model(epochs: int = 2, name: str = "tiny digits net", root=None) -> registry.SavedModel:
    """FastNet (width 8) trained for `epochs` on the 8x8 digits and saved through the registry,
    exactly as the Train page saves models (filter snapshots included)."""
    train, test = digits_split()
    spec = recipes.model_spec("fastnet", train, {"width": 8})
    config = training.TrainConfig(epochs=epochs, batch_size=64, lr=0.02, threads=1, seed=0, device="cpu")
    request = runs.TrainRequest(spec, config, "digits", train, test,
                                      COURSE_SPLIT, name, root)
    torch.manual_seed(0)
    return runs.run(request).saved


SPLIT = {"test_size": 0.2, "random_state": 8}
COURSE_CNN = {"architecture": "course_cnn", "options": {"in_channels": 1, "num_classes": 10, "input_size": [64, 64]}}


def save_untrained(spec: dict, name: str, root=None) -> registry.SavedModel:
    """An untrained model on Sign Language Digits (64x64 grey), saved as the Train page saves."""
    torch.manual_seed(0)
    meta = {"name": name, "architecture": spec["architecture"], "spec": spec, "dataset": "sign-digits",
            "split": SPLIT, "classes": [str(d) for d in range(10)], "input_size": [1, 64, 64],
            "normalisation": {"mean": [0.5], "std": [0.25]}, "test_accuracy": 0.1, "epochs": 1}
    return registry.save(from_spec.build(spec), ModelCard.from_json(meta), root)


@contextmanager
def model_server(data: Path, name: str, epochs: int = 2) -> Iterator[str]:
    """A private app server (the real `streamlit run`) whose data folder `data` already holds a
    small saved model named `name`; yields its base URL and stops it afterwards."""
    from tests.browser.conftest import start_server, stop_server

    save_digits_model(epochs=epochs, name=name, root=data / "models")
    proc, url = start_server(data)
    try:
        yield url
    finally:
        stop_server(proc)

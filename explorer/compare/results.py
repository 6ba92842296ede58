"""What a comparison measures: one Result per model, and the Stopped signal of a run cut short."""

from __future__ import annotations

from dataclasses import dataclass, field


class Stopped(Exception):
    """Raised by run() when should_stop() turned true mid-training."""


@dataclass(frozen=True)
class Result:
    """One row of the comparison. Times in seconds; accuracy on the test split in [0, 1]."""

    name: str  # a NAMES entry, or "cnn:<saved model id>"
    title: str
    family: str  # "classical", "fully connected" or "CNN"
    accuracy: float
    fit_seconds: float | None  # None when unknown (a saved CNN without a recorded time)
    predict_seconds: float
    params: int | None  # learned numbers, where the model has weights
    keeps: str  # what the fitted model stores, in words
    call: str  # the code that built it
    options: dict = field(default_factory=dict)
    n_train: int | None = None  # None for a saved CNN (its training split is not reloaded)
    n_test: int = 0
    notes: tuple[str, ...] = ()
    history: tuple[float, ...] = ()  # MLP: mean training loss per epoch

"""The value every dataset loader returns, how it is split, and the errors loaders raise."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class DatasetError(ValueError):
    """A dataset that cannot be used; str(error) is a sentence for the user."""


class DatasetUnavailable(DatasetError):
    """Sign Language Digits is not on this machine and could not be downloaded.

    str(error) is the web page's sentence; `reason` says why the download failed ("" when none
    was tried), so a command line can word its own advice.
    """

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Split:
    """How a dataset is divided into training and test pictures: scikit-learn's
    `train_test_split(X, Y, test_size=test_size, random_state=random_state)`, not stratified."""

    test_size: float = 0.2
    random_state: int | None = 8

    def __post_init__(self):
        # A slider's 0.2 may arrive as 0.20000000000000004: equal splits must compare equal.
        object.__setattr__(self, "test_size", round(float(self.test_size), 9))

    def to_json(self) -> dict:
        return {"test_size": self.test_size, "random_state": self.random_state}


# The course's split: train_test_split(test_size=0.2, random_state=8).
COURSE_SPLIT = Split(0.2, 8)


@dataclass(frozen=True, eq=False)
class Dataset:
    """images: float32 (N, C, H, W) in [0, 1]; labels: int64 (N,); classes: names by label."""

    name: str
    images: np.ndarray
    labels: np.ndarray
    classes: list[str]
    source: str = ""
    skipped: tuple[str, ...] = ()  # "member: reason" for each file left out
    notes: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image."""
        return tuple(self.images.shape[1:])

    def counts(self) -> dict[str, int]:
        """Images per class name, in class order."""
        per = np.bincount(self.labels, minlength=len(self.classes))
        return {c: int(n) for c, n in zip(self.classes, per)}

    def subset(self, index: np.ndarray, suffix: str = "") -> "Dataset":
        return Dataset(self.name + suffix, self.images[index], self.labels[index],
                       self.classes, self.source, self.skipped, self.notes, dict(self.meta))

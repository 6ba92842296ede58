"""The value every dataset loader returns, and the errors they raise."""

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

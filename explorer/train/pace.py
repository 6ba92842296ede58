"""Seconds per epoch of a run, beside the course's quoted 16-17 s for its own CNN.

The course trained `course_cnn` in Keras and printed 16-17 s per epoch on its machine (1,649
training photos, batch 128); the app measures the same network on whatever runs it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

COURSE_SECONDS = (16, 17)  # per epoch, quoted from the course's Keras log (section 2.4)
COURSE_ARCHITECTURE = "course_cnn"


@dataclass(frozen=True)
class Pace:
    per_epoch: tuple[float, ...]  # seconds of each epoch

    @property
    def median(self) -> float:
        return statistics.median(self.per_epoch)

    def sentence(self, device: str) -> str:
        lo, hi = COURSE_SECONDS
        ratio = self.median / ((lo + hi) / 2)
        how = f"{1 / ratio:.1f} times faster than" if ratio < 1 else f"{ratio:.1f} times the time of"
        return (f"Seconds per epoch here: **{self.median:.1f} s** (median of {len(self.per_epoch)} epoch(s) on "
                f"{device}); the course's Keras run took **{lo}–{hi} s** per epoch (quoted from the "
                f"course, section 2.4, on its own machine): {how} the course's.")


def from_history(history: list[dict]) -> Pace | None:
    """history rows carry cumulative 'seconds' at the end of each epoch."""
    ends = [float(r["seconds"]) for r in history if "seconds" in r]
    if not ends:
        return None
    return Pace(tuple(b - a for a, b in zip([0.0, *ends[:-1]], ends)))

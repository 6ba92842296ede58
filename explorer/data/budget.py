"""What one upload of many pictures may cost the server, spent picture by picture.

Per-file bounds (explorer.limits) stop one huge picture; they do not stop a zip of a thousand
pictures that are each just under them. A `DecodeBudget` is made per upload and charged
before each picture is decoded, with the pixels that decoding will produce; it refuses (with
a sentence for the student) once the upload's pixels or seconds are spent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from explorer import limits


class BudgetExceeded(ValueError):
    """The upload as a whole costs too much; str(error) is a sentence for the student."""


@dataclass
class DecodeBudget:
    """pixels: decoded pixels the whole upload may produce; seconds: its wall-clock time."""

    pixels: int = limits.UPLOAD_PIXELS
    seconds: float = limits.UPLOAD_SECONDS
    min_pixels: int = limits.PICTURE_MIN_PIXELS
    spent: int = 0
    pictures: int = 0
    started: float = field(default_factory=time.monotonic)

    def charge(self, pixels: int) -> None:
        """Count one picture about to be decoded into `pixels` pixels; raise BudgetExceeded
        (before any decoding) when it does not fit."""
        self.pictures += 1
        self.spent += max(int(pixels), self.min_pixels)
        if self.spent > self.pixels:
            raise BudgetExceeded(
                f"The pictures in this upload add up to more than {self.pixels / 1e6:,.0f} megapixels "
                f"(picture {self.pictures:,} alone has {pixels / 1e6:,.1f}); this shared server stops "
                "there. Shrink the pictures (64 x 64 pixels is plenty for training) and zip them again."
            )
        elapsed = time.monotonic() - self.started
        if elapsed > self.seconds:
            raise BudgetExceeded(
                f"Reading this upload took more than {self.seconds:.0f} seconds ({self.pictures:,} "
                "pictures so far), so it was stopped to keep the server quick for everyone. Use "
                "fewer or smaller pictures."
            )

"""The output-size formula O = (W - K + 2P) / S + 1 with a student's own numbers put in.

One `Axis` per direction (height, width): the LaTeX of the formula, whether the windows
fit exactly, which input rows/columns are dropped when they do not, and why an output is
empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from explorer.learn import geometry

SYMBOL = {"height": "H", "width": "W"}
ELLIPSIS = "…"  # marks a decimal cut short: the digits shown are exact, more follow


def quotient(num: int, den: int, ellipsis: str = ELLIPSIS) -> str:
    """num / den written so every digit shown is exact: a whole number or a terminating
    decimal as it is ("126", "126.5"), otherwise cut (not rounded) after two decimals, or
    after the first non-zero one, with `ellipsis` after it ("169.66…", "0.003…").

    Rounding would print 2.995 as 3.00 and a student would read it as whole; "%.3g" printed
    509/3 as 170 (issue #14).
    """
    if den <= 0:
        raise ValueError("the denominator must be positive")
    q = Fraction(num, den)
    sign = "-" if q < 0 else ""
    q = abs(q)
    whole, rest = divmod(q.numerator, q.denominator)
    if rest == 0:
        return f"{sign}{whole}"
    digits = []
    while True:
        rest *= 10
        d, rest = divmod(rest, q.denominator)
        digits.append(str(d))
        if rest == 0:  # terminates: exact, no ellipsis
            return f"{sign}{whole}.{''.join(digits)}"
        # Two decimals (or up to the first non-zero one), unless it ends within four.
        if len(digits) >= 2 and any(c != "0" for c in digits) and not _ends_within(rest, q.denominator, 4 - len(digits)):
            return f"{sign}{whole}.{''.join(digits)}{ellipsis}"


def between(first: int, last: int) -> str:
    """A range of rows or columns for a sentence: "2", "0 to 4", "−2 to 2" (a true minus sign;
    "rows -2-2" read as nonsense, issue #14)."""
    def num(v: int) -> str:
        return f"−{-v}" if v < 0 else str(v)
    return num(first) if first == last else f"{num(first)} to {num(last)}"


def _ends_within(rest: int, den: int, places: int) -> bool:
    """Whether rest / den (a remainder) is a decimal of at most `places` more digits."""
    return places > 0 and (rest * 10 ** places) % den == 0

UNIT = {"height": ("row", "rows"), "width": ("column", "columns")}


@dataclass(frozen=True)
class Axis:
    """One direction of a convolution or pooling: n input pixels, padding before/after."""

    name: str  # "height" or "width"
    n: int
    kernel: int
    stride: int = 1
    before: int = 0
    after: int = 0
    dilation: int = 1

    @property
    def span(self) -> int:
        return geometry.effective_size(self.kernel, self.dilation)

    @property
    def room(self) -> int:
        return self.n + self.before + self.after

    @cached_property
    def error(self) -> str | None:
        """Why the output is empty along this axis, or None."""
        if self.span <= self.room:
            return None
        try:
            geometry.output_size(self.room, self.kernel, self.stride, 0, self.dilation)
        except ValueError as exc:
            what = f"{self.n} {UNIT[self.name][1]} of input"
            pads = f" plus {self.before + self.after} of padding" if self.before + self.after else ""
            return f"Along the {self.name}: {what}{pads}. {exc}"
        return None

    @property
    def size(self) -> int:
        """Output size (0 when empty)."""
        return 0 if self.error else geometry.output_size(self.room, self.kernel, self.stride, 0, self.dilation)

    @property
    def dropped(self) -> int:
        """Padded positions after the last window: the remainder of (room - span) / stride."""
        return 0 if self.error else (self.room - self.span) % self.stride

    @property
    def dropped_input(self) -> int:
        """How many real (not padding) rows/columns at the end no window covers."""
        return min(self.n, max(0, self.dropped - self.after))

    def latex(self) -> str:
        """O = floor((W - K + 2P) / S) + 1 with the numbers, as LaTeX."""
        sym = SYMBOL[self.name]
        pad_sym = "2P" if self.before == self.after else "P_1 + P_2"
        pad_num = f"2 \\cdot {self.before}" if self.before == self.after else f"{self.before} + {self.after}"
        k_sym = "K" if self.dilation == 1 else "K'"
        num = self.room - self.span
        value = quotient(num, self.stride, r"\ldots")
        lhs = (f"O_{{{sym}}} = \\left\\lfloor \\frac{{{sym} - {k_sym} + {pad_sym}}}{{S}} \\right\\rfloor + 1"
               f" = \\left\\lfloor \\frac{{{self.n} - {self.span} + {pad_num}}}{{{self.stride}}} \\right\\rfloor + 1")
        if self.error:
            return lhs + f" = \\lfloor {value} \\rfloor + 1 = {num // self.stride} + 1 < 1"
        exact = num % self.stride == 0
        mid = (f" = {num // self.stride} + 1" if exact
               else f" = \\lfloor {value} \\rfloor + 1 = {num // self.stride} + 1")
        return lhs + mid + f" = {self.size}"

    def dilation_latex(self) -> str | None:
        if self.dilation == 1:
            return None
        return f"K' = D(K - 1) + 1 = {self.dilation}({self.kernel} - 1) + 1 = {self.span}"

    def note(self) -> str | None:
        """A sentence when the windows do not fit exactly (what is dropped), else None."""
        if self.error or self.dropped == 0:
            return None
        one, many = UNIT[self.name]
        num = self.room - self.span
        head = (f"Along the {self.name} the windows do not fit exactly: ({num}) / {self.stride} = "
                f"{quotient(num, self.stride)} is not a whole number, so it is rounded down.")
        if self.dropped_input == 0:
            return head + f" Only padding is left over ({self.dropped} {one if self.dropped == 1 else many})."
        first = self.n - self.dropped_input
        which = (f"{one} {first}" if self.dropped_input == 1
                 else f"{many} {first} to {self.n - 1}")
        verb = "falls in no window and is" if self.dropped_input == 1 else "fall in no window and are"
        return head + (f" The last {self.dropped_input} {one if self.dropped_input == 1 else many} of the input "
                       f"({which}, counting from 0) {verb} dropped.")


def axes(shape: tuple[int, int], kernel: tuple[int, int], stride: int, padding, dilation: int) -> tuple[Axis, Axis]:
    """(height, width) axes for an (H, W) input; padding an int, 'valid' or 'same'.

    Raises ValueError (with a sentence) for 'same' with a stride above 1.
    """
    (pt, pb), (pl, pr) = geometry.resolve_padding(padding, kernel, (stride, stride), (dilation, dilation))
    return (Axis("height", shape[0], kernel[0], stride, pt, pb, dilation),
            Axis("width", shape[1], kernel[1], stride, pl, pr, dilation))

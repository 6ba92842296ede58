"""The course's worked output-size examples, and 'same' padding P = (K - 1) / 2.

Each example carries the size the course states (a quote) so the page, and a test, can
show that the formula reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.learn import formula


@dataclass(frozen=True)
class Example:
    key: str
    label: str
    side: int
    channels: int
    kernel: int
    stride: int
    padding: int
    course_says: str  # the output the course states, quoted


EXAMPLES = (
    Example("course30", "30x30, 3x3 filter, stride 3", 30, 1, 3, 3, 0, "10x10"),
    Example("course32", "32x32x3, 5x5x3 filters", 32, 3, 5, 1, 0, "28x28"),
    Example("course32same", "32x32x3, 5x5x3 filters, padding 2", 32, 3, 5, 1, 2, "32x32"),
    Example("course7s2", "7x7, 3x3, stride 2", 7, 1, 3, 2, 0, "3x3"),
    Example("course7s3", "7x7, 3x3, stride 3 (does not fit)", 7, 1, 3, 3, 0, "spacing issues"),
)


@dataclass(frozen=True)
class SamePadding:
    kernel: int
    padding: float  # (K - 1) / 2

    @property
    def whole(self) -> bool:
        return float(self.padding).is_integer()

    def latex(self) -> str:
        value = f"{int(self.padding)}" if self.whole else f"{self.padding:g}"
        return f"P = \\frac{{K - 1}}{{2}} = \\frac{{{self.kernel} - 1}}{{2}} = {value}"

    def sentence(self) -> str:
        if self.whole:
            return (f"With stride 1, padding {int(self.padding)} keeps the size: a {self.kernel}x{self.kernel} "
                    f"kernel takes {self.kernel - 1} pixels off each side's count, the padding adds them back.")
        return (f"A {self.kernel}x{self.kernel} kernel has no centre pixel: (K − 1)/2 = {self.padding:g} is not a "
                f"whole number, so 'same' needs {int(self.padding)} pixel(s) on one side and "
                f"{int(self.padding) + 1} on the other (PyTorch puts the extra one after).")


def same_padding(kernel: int) -> SamePadding:
    return SamePadding(kernel, (kernel - 1) / 2)


def axis(side: int, kernel: int, stride: int, padding: int) -> formula.Axis:
    """The width axis of a square input (height is the same)."""
    return formula.Axis("width", side, kernel, stride, padding, padding)


def course_latex(ax: formula.Axis) -> str:
    """The course's O = (W - K + 2P) / S + 1 with the numbers, the fraction shown unrounded
    (7x7, 3x3, stride 3: 2.33) and then the whole number of windows that fit."""
    num = ax.room - ax.span
    value = num / ax.stride + 1
    pad = (f"2 \\cdot {ax.before}" if ax.before == ax.after else f"{ax.before} + {ax.after}")
    k = f"{ax.span}"
    head = (f"O = \\frac{{W - K + 2P}}{{S}} + 1 = \\frac{{{ax.n} - {k} + {pad}}}{{{ax.stride}}} + 1")
    if ax.error:
        return head + f" = {value:.3g} < 1"
    if num % ax.stride == 0:
        return head + f" = {int(value)}"
    return head + f" = {value:.2f} \\;\\rightarrow\\; {ax.size} \\text{{ whole windows}}"

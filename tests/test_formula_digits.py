"""Issue #14, item 1: every number the output-size formula shows is exact to the digits shown.

The formula printed "⌊256⌋ + 1 = 256" and "(509) / 3 = 170 is not a whole number" (a "%.3g"
of 169.67 and 255.5). Here the displayed LaTeX and note are parsed back into numbers and
every step of the chain is checked against exact fractions and PyTorch's own rule.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.learn import formula

NUMBER = r"(-?\d+(?:\.\d+)?)(\\ldots|…)?"


def shown_matches(text: str, cut: str | None, exact: Fraction) -> bool:
    """A number as displayed: without an ellipsis it must equal `exact`; with one, its digits
    must be the start of exact's decimal expansion (cut, not rounded) and more must follow."""
    shown = Fraction(text)
    if not cut:
        return shown == exact
    decimals = len(text.split(".")[1]) if "." in text else 0
    step = Fraction(1, 10 ** decimals)
    return shown != exact and (shown < 0) == (exact < 0) and 0 < abs(exact) - abs(shown) < step


def torch_rule(n: int, k: int, s: int, before: int, after: int, d: int) -> int:
    """PyTorch's Conv2d documentation: floor((n + p1 + p2 - d (k - 1) - 1) / s) + 1."""
    return math.floor((n + before + after - d * (k - 1) - 1) / s) + 1


axes = st.builds(
    formula.Axis,
    name=st.sampled_from(["height", "width"]),
    n=st.integers(1, 4096),
    kernel=st.integers(1, 11),
    stride=st.integers(1, 12),
    before=st.integers(0, 6),
    after=st.integers(0, 6),
    dilation=st.integers(1, 5),
)


@settings(max_examples=600, deadline=None)
@given(axes)
def test_every_number_in_the_formula_is_exact_to_its_digits(ax):
    tex = ax.latex()
    num = ax.room - ax.span
    # The numbers put into the fraction: n - K' + padding over S.
    frac = re.search(r"\\frac\{(\d+) - (\d+) \+ (?:2 \\cdot (\d+)|(\d+) \+ (\d+))\}\{(\d+)\}", tex)
    assert frac, tex
    n, span, pad2, p1, p2, s = frac.groups()
    pads = 2 * int(pad2) if pad2 is not None else int(p1) + int(p2)
    assert (int(n), int(span), pads, int(s)) == (ax.n, ax.span, ax.before + ax.after, ax.stride)
    exact = Fraction(num, ax.stride)
    tail = tex.split(r"\right\rfloor + 1", 2)[-1]
    floored = re.search(r"= " + NUMBER + r" \+ 1", tail)
    assert floored and not floored.group(2), tex
    assert int(floored.group(1)) == math.floor(exact)
    shown = re.search(r"\\lfloor " + NUMBER + r" \\rfloor", tail)
    if exact.denominator != 1 or ax.error:
        assert shown, tex
        assert shown_matches(shown.group(1), shown.group(2), exact), (shown.group(0), exact)
    if ax.error:
        assert tex.endswith("< 1") and torch_rule(ax.n, ax.kernel, ax.stride, ax.before, ax.after, ax.dilation) < 1
    else:
        result = int(re.search(r"= (\d+)$", tex).group(1))
        assert result == ax.size == torch_rule(ax.n, ax.kernel, ax.stride, ax.before, ax.after, ax.dilation)
    note = ax.note()
    if note:
        said = re.search(r"\((-?\d+)\) / (\d+) = " + NUMBER + " is not a whole number", note)
        assert said, note
        assert (int(said.group(1)), int(said.group(2))) == (num, ax.stride)
        assert shown_matches(said.group(3), said.group(4), exact), (note, exact)
        dropped = re.search(r"\((?:row|column)s? (\d+)(?: to (\d+))?, counting from 0\)", note)
        if ax.dropped_input:
            assert dropped, note
            first, last = int(dropped.group(1)), int(dropped.group(2) or dropped.group(1))
            assert (first, last) == (ax.n - ax.dropped_input, ax.n - 1)


def test_the_examples_from_the_issue():
    """Pooling 256 and 512 wide: the numbers the issue quoted are now right."""
    pool = formula.Axis("width", 512, 3, 3)
    assert r"\lfloor 169.66\ldots \rfloor + 1 = 169 + 1 = 170" in pool.latex()
    assert "(509) / 3 = 169.66… is not a whole number" in pool.note()
    half = formula.Axis("width", 256, 3, 2)
    assert r"\lfloor 126.5 \rfloor + 1 = 126 + 1 = 127" in half.latex()
    assert "(253) / 2 = 126.5 is not" in half.note()
    assert formula.quotient(511, 2) == "255.5" and formula.quotient(5, 8) == "0.625"


def test_ranges_of_rows_read_as_words_not_as_subtractions():
    """The receptive-field captions said "rows -2-2" for rows −2 to 2 (padding included)."""
    assert formula.between(-2, 2) == "−2 to 2"
    assert formula.between(3, 3) == "3"
    assert formula.between(0, 4) == "0 to 4"

"""A model's probability as the pages write it.

Whole percents read best, but rounding a softmax output to them prints certainty it never has:
0.996 became "100%" and 0.004 "0%". Where whole percents would say 0% or 100%, one decimal is
kept, and where even that would, the text says which side of 0.1% or 99.9% it is.
"""

from __future__ import annotations


def percent(p: float) -> str:
    """0.42 -> "42%", 0.996 -> "99.6%", 0.9999 -> "> 99.9%", 0.004 -> "0.4%", 1e-5 -> "< 0.1%"."""
    p = float(p)
    for text in (f"{p:.0%}", f"{p:.1%}"):
        if float(text.rstrip("%")) not in (0.0, 100.0):
            return text
    return "> 99.9%" if p > 0.5 else "< 0.1%"

"""A number with a fixed count of decimals, as the pages write it.

Python writes -0.0004 with two decimals as "-0.00", and with a "+" format 0 as "+0.00": a sign
where there is nothing. Every fixed-decimal number on a page that can round to zero goes through
`fixed` (the grids' cells, the convolution steps' sums, the faithfulness verdict); tables do the
same with their column formats (explorer/ui/tables.py).
"""

from __future__ import annotations


def fixed(value: float, decimals: int, sign: str = "") -> str:
    """`value` with `decimals` decimals (`sign` "+": positive ones with a plus); one that rounds
    to zero without a sign: fixed(-0.0004, 2) -> "0.00", fixed(0, 2, "+") -> "0.00"."""
    text = f"{float(value):{sign}.{decimals}f}"
    return text.lstrip("+-") if float(text) == 0 else text

"""What an architecture becomes at one input size, in words computed from its summary.

The registered descriptions say what does not depend on the input (kinds of layers, kernel
sizes, filter counts) or name the design size they are true at; this sentence gives the
numbers that do change with the input, so the page is right for any size a student types.
"""

from __future__ import annotations

from explorer.models.summary import Summary


def sides(s: Summary) -> list[int]:
    """The picture's side after each layer that changes it (convolutions, poolings, blocks),
    starting with the input's: e.g. [227, 55, 27, 27, 13, 13, 6] reduced to the changes."""
    out = [s.input_shape[-1]] if len(s.input_shape) == 3 else []
    for r in s.rows:
        if len(r.output_shape) == 3 and out and r.output_shape[-1] != out[-1]:
            out.append(r.output_shape[-1])
    return out


def sentence(s: Summary) -> str:
    """'At 3x227x227: height and width 227 → 55 → 27 → 13 → 6; 60,965,224 parameters, 724 M
    multiply-accumulates per picture; output 1000.'"""
    shape = "x".join(str(n) for n in s.input_shape)
    path = " → ".join(str(n) for n in sides(s))
    out = " x ".join(str(n) for n in s.output_shape)
    return (f"At {shape} (channels x height x width): height and width {path}; "
            f"{s.total_params:,} parameters, {s.total_macs:,} multiply-accumulates per picture; "
            f"output {out}.")

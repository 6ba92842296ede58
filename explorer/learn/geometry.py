"""The geometry of convolution and pooling windows: THE output-size formula and its relatives.

PyTorch's conventions: output sizes rounded down (windows that do not fit are dropped),
padding as a number, a pair, 'valid' or 'same'. Every page, calculator and occlusion map
takes its sizes from here, so a student sees one rule everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

Pair = int | tuple[int, int]


def pair(v: Pair, name: str) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{name} needs one number or two (height, width), not {v!r}")
        a, b = int(v[0]), int(v[1])
    else:
        a = b = int(v)
    return a, b


def effective_size(kernel: int, dilation: int = 1) -> int:
    """How many input pixels a dilated kernel spans: d * (k - 1) + 1."""
    return dilation * (kernel - 1) + 1


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """floor((n + 2p - d(k-1) - 1) / s) + 1, PyTorch's rule; ValueError (student-readable) if < 1."""
    for name, v, low in (("size", n, 1), ("kernel size", kernel, 1), ("stride", stride, 1),
                         ("padding", padding, 0), ("dilation", dilation, 1)):
        if int(v) != v or v < low:
            raise ValueError(f"The {name} must be a whole number of at least {low}, not {v}.")
    span = effective_size(kernel, dilation)
    room = n + 2 * padding
    if span > room:
        what = f"a {kernel}-wide kernel"
        if dilation > 1:
            what += f" with dilation {dilation} (it spans {span} pixels)"
        raise ValueError(
            f"The output would be empty: {what} does not fit in {n} pixels"
            + (f" plus {padding} of padding on each side" if padding else "")
            + f" ({room} < {span}). Use a smaller kernel or dilation, or more padding."
        )
    return (room - span) // stride + 1


@dataclass(frozen=True)
class Fit:
    """How the windows cover one axis: output size and the input positions no window reaches."""

    size: int  # output size along the axis
    used: int  # padded positions covered by some window: (size - 1) * stride + span
    dropped: int  # padded positions after the last window (the remainder of the division)


def fit(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> Fit:
    """The geometry of one axis (raises ValueError like output_size when nothing fits)."""
    o = output_size(n, kernel, stride, padding, dilation)
    used = (o - 1) * stride + effective_size(kernel, dilation)
    return Fit(o, used, n + 2 * padding - used)


def same_padding(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """PyTorch's padding='same' (stride 1): (before, after); the extra pixel goes after."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


def resolve_padding(padding, kernel: tuple[int, int], stride: tuple[int, int],
                    dilation: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """Padding as ((top, bottom), (left, right)) from an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    "'same' padding keeps the output as large as the input only with stride 1; "
                    f"with stride {stride[0]} the output shrinks anyway. Choose a number of pixels instead."
                )
            return same_padding(kernel[0], dilation[0]), same_padding(kernel[1], dilation[1])
        raise ValueError(f"padding must be a number, 'valid' or 'same', not {padding!r}")
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"The padding cannot be negative ({padding}).")
    return (ph, ph), (pw, pw)




def receptive_field(i: int, j: int, kernel: Pair, stride: Pair = 1, padding: Pair = 0,
                    dilation: Pair = 1) -> tuple[tuple[int, int], tuple[int, int]]:
    """Input rows and columns (first, last inclusive, unpadded coordinates, may reach outside
    the image into padding) that output cell (i, j) of one layer looks at."""
    k, s = pair(kernel, "kernel"), pair(stride, "stride")
    p, d = pair(padding, "padding"), pair(dilation, "dilation")
    r0, c0 = i * s[0] - p[0], j * s[1] - p[1]
    return (r0, r0 + effective_size(k[0], d[0]) - 1), (c0, c0 + effective_size(k[1], d[1]) - 1)

"""Max, average and sum pooling in numpy, equal to torch's max_pool2d / avg_pool2d (tests).

Arrays are (..., H, W); output sizes follow explorer.learn.geometry (rounded down).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from explorer.learn.geometry import Pair, output_size, pair

POOL_MODES = ("max", "avg", "sum")


def padding_problem(size: int, padding: int) -> str | None:
    """Why `padding` cannot go with a pooling window of `size` (a sentence), or None."""
    if padding * 2 <= size:
        return None
    return (f"The padding ({padding}) can be at most half the window size ({size}): otherwise some "
            "windows would hold nothing but padding. Lower the padding or enlarge the window.")


def _pool_windows(x: np.ndarray, size: Pair, stride: Pair | None, padding: Pair, fill: float):
    """Strided windows of a padded input: (..., H', W', kh, kw) plus the padded shape."""
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"Pooling needs a (H, W) or (C, H, W) input, not shape {x.shape}.")
    k = pair(size, "pool size")
    s = k if stride is None else pair(stride, "stride")
    p = pair(padding, "padding")
    for i in range(2):
        problem = padding_problem(k[i], p[i])
        if problem:
            raise ValueError(problem)
    ho = output_size(x.shape[-2], k[0], s[0], p[0])
    wo = output_size(x.shape[-1], k[1], s[1], p[1])
    pad = [(0, 0)] * (x.ndim - 2) + [(p[0], p[0]), (p[1], p[1])]
    xp = np.pad(x, pad, constant_values=fill)
    win = sliding_window_view(xp, k, axis=(-2, -1))[..., :: s[0], :: s[1], :, :]
    return win[..., :ho, :wo, :, :], k, s, p


def pool2d(x: np.ndarray, size: Pair, stride: Pair | None = None, mode: str = "max", padding: Pair = 0) -> np.ndarray:
    """Max, average or sum pooling of (..., H, W), equal to torch's max_pool2d / avg_pool2d.

    stride defaults to size (non-overlapping windows). Max pads with -inf; avg and sum pad
    with zeros and count them (torch's count_include_pad=True); sum = avg x window area.
    """
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {', '.join(POOL_MODES)}, not {mode!r}")
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    win, k, _, _ = _pool_windows(x, size, stride, padding, -np.inf if mode == "max" else 0.0)
    if mode == "max":
        return win.max(axis=(-2, -1))
    total = win.sum(axis=(-2, -1))
    return total / (k[0] * k[1]) if mode == "avg" else total


def pool_argmax(x: np.ndarray, size: Pair, stride: Pair | None = None, padding: Pair = 0) -> np.ndarray:
    """Where each max window's winner sits: flat index row * W + col into the (H, W) input.

    Same as torch's max_pool2d(return_indices=True) (the first maximum wins ties).
    x: (H, W) or (C, H, W); returns int64 (H', W') or (C, H', W').
    """
    x = np.asarray(x, dtype=np.float64)
    win, k, s, p = _pool_windows(x, size, stride, padding, -np.inf)
    flat = win.reshape(*win.shape[:-2], k[0] * k[1]).argmax(axis=-1)
    a, b = np.divmod(flat, k[1])
    ho, wo = win.shape[-4:-2]
    rows = np.arange(ho)[:, None] * s[0] - p[0] + a
    cols = np.arange(wo)[None, :] * s[1] - p[1] + b
    return (rows * x.shape[-1] + cols).astype(np.int64)

"""Convolution, pooling, ReLU and their geometry, in numpy (checked against torch in tests).

Conventions are PyTorch's: cross-correlation (the kernel is not flipped), zero padding,
output sizes rounded down (windows that do not fit are dropped). Arrays are (H, W) or
(C, H, W); filter banks are (F, C, kh, kw).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft
from numpy.lib.stride_tricks import sliding_window_view

Pair = int | tuple[int, int]
POOL_MODES = ("max", "avg", "sum")
# Below this many multiply-adds per output value (kernel area x channels) the direct sum of
# shifted slices beats the FFT; above it the FFT's cost no longer grows with the kernel.
_FFT_MIN_TAPS = 30


def _pair(v: Pair, name: str) -> tuple[int, int]:
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
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"The padding cannot be negative ({padding}).")
    return (ph, ph), (pw, pw)


def _as_chw(x: np.ndarray) -> tuple[np.ndarray, bool]:
    x = np.asarray(x)
    if x.ndim == 2:
        return x[None], True
    if x.ndim == 3:
        return x, False
    raise ValueError(f"The input must be (H, W) or (C, H, W), not shape {x.shape}.")


def _as_bank(w: np.ndarray, channels: int) -> tuple[np.ndarray, bool]:
    """Filters as (F, C, kh, kw) plus whether the caller gave a single filter."""
    w = np.asarray(w)
    if w.ndim == 2:
        w = w[None]
    if w.ndim == 3:
        bank, single = w[None], True
    elif w.ndim == 4:
        bank, single = w, False
    else:
        raise ValueError(f"The kernel must be (kh, kw), (C, kh, kw) or (F, C, kh, kw), not shape {w.shape}.")
    if bank.shape[1] != channels:
        raise ValueError(
            f"The kernel has {bank.shape[1]} channel(s) but the input has {channels}: "
            "a kernel needs one slice per input channel."
        )
    return bank, single


def _result_dtype(x: np.ndarray, w: np.ndarray) -> np.dtype:
    dt = np.result_type(x.dtype, w.dtype)
    return dt if np.issubdtype(dt, np.floating) else np.dtype(np.float64)


def conv2d(x: np.ndarray, w: np.ndarray, stride: Pair = 1, padding=0, dilation: Pair = 1,
           method: str = "auto") -> np.ndarray:
    """Cross-correlation with zero padding, equal to torch.nn.functional.conv2d.

    x: (H, W) or (C, H, W). w: (kh, kw) with a (H, W) input, (C, kh, kw), or (F, C, kh, kw).
    Returns (H', W') for a single filter, (F, H', W') for a bank. padding: int, (ph, pw),
    'valid' or 'same'. method: 'direct', 'fft' or 'auto' (whichever is cheaper).
    """
    return conv2d_per_channel(x, w, stride, padding, dilation, method, split_channels=False)


def conv2d_per_channel(x: np.ndarray, w: np.ndarray, stride: Pair = 1, padding=0,
                       dilation: Pair = 1, method: str = "auto", split_channels: bool = True) -> np.ndarray:
    """Like conv2d but, with split_channels, keeps each input channel's map apart.

    Returns (C, H', W') for a single filter or (F, C, H', W') for a bank; summing over C
    gives conv2d's result (the course's "three maps added into one").
    """
    xc, _ = _as_chw(x)
    w_in = np.asarray(w)
    if w_in.ndim == 2 and xc.shape[0] != 1:
        raise ValueError(f"A (kh, kw) kernel needs a (H, W) input; this input has {xc.shape[0]} channels.")
    bank, single = _as_bank(w_in, xc.shape[0])
    dtype = _result_dtype(xc, bank)
    s, d = _pair(stride, "stride"), _pair(dilation, "dilation")
    k = bank.shape[2:]
    (pt, pb), (pl, pr) = resolve_padding(padding, k, s, d)
    sizes = tuple(_size_asym(n, kk, ss, a, b, dd) for n, kk, ss, a, b, dd in
                  ((xc.shape[1], k[0], s[0], pt, pb, d[0]), (xc.shape[2], k[1], s[1], pl, pr, d[1])))
    xc, bank = xc.astype(dtype, copy=False), bank.astype(dtype, copy=False)
    if not split_channels and xc.shape[0] > 1 and _same_over_channels(bank):
        # The same slice on every channel: by linearity, correlating the channels' sum once
        # equals summing the per-channel results, at a third of the work for RGB.
        xc, bank = xc.sum(axis=0, keepdims=True), bank[:, :1]
    if method == "auto":
        method = "fft" if k[0] * k[1] >= _FFT_MIN_TAPS and min(sizes) >= 32 else "direct"
    if method == "direct":
        xp = np.pad(xc, ((0, 0), (pt, pb), (pl, pr)))
        out = _direct(xp, bank, s, d, sizes, split_channels)
    elif method == "fft":
        out = _fft(xc, ((pt, pb), (pl, pr)), bank, s, d, sizes, split_channels)
    else:
        raise ValueError(f"method must be 'auto', 'direct' or 'fft', not {method!r}")
    return out[0] if single else out


def _same_over_channels(bank: np.ndarray) -> bool:
    """Whether every filter of an (F, C, kh, kw) bank has the same slice for all channels."""
    return bool(np.all(bank == bank[:, :1]))


def _size_asym(n: int, k: int, s: int, before: int, after: int, d: int) -> int:
    """Output size with possibly unequal padding on the two sides ('same' with an even kernel)."""
    if before == after:
        return output_size(n, k, s, before, d)
    return output_size(n + before + after, k, s, 0, d)


def _direct(xp: np.ndarray, bank: np.ndarray, s, d, sizes, split: bool) -> np.ndarray:
    """Sum over kernel taps of (weight x shifted, strided input slice)."""
    f, c, kh, kw = bank.shape
    ho, wo = sizes
    out = np.zeros((f, c, ho, wo) if split else (f, ho, wo), xp.dtype)
    tmp = np.empty((ho, wo), xp.dtype)
    for a in range(kh):
        for b in range(kw):
            r0, c0 = a * d[0], b * d[1]
            patch = xp[:, r0: r0 + (ho - 1) * s[0] + 1: s[0], c0: c0 + (wo - 1) * s[1] + 1: s[1]]
            for k in range(f):
                for ch in range(c):  # in-place multiply-adds: no temporary per tap
                    np.multiply(patch[ch], bank[k, ch, a, b], out=tmp)
                    np.add(out[k, ch] if split else out[k], tmp, out=out[k, ch] if split else out[k])
    return out


def _fft(x: np.ndarray, pads, bank: np.ndarray, s, d, sizes, split: bool) -> np.ndarray:
    """Correlation through the FFT: cost independent of the kernel size.

    x: (C, H, W) unpadded; pads ((top, bottom), (left, right)). A circular convolution of
    length >= the padded input is exact on the 'valid' positions (no wrap-around reaches
    them). Runs in the input's precision: float64 agrees with torch to ~1e-12; float32 stays
    closer to the exact result than torch's own float32 conv.
    """
    f, c, kh, kw = bank.shape
    (pt, pb), (pl, pr) = pads
    hp, wp = x.shape[1] + pt + pb, x.shape[2] + pl + pr
    eh, ew = effective_size(kh, d[0]), effective_size(kw, d[1])
    shape = (_fast_even(hp), _fast_even(wp))
    # Zero padding and the FFT's own zero extension in one buffer (one copy of the input).
    buf = np.zeros((x.shape[0], *shape), x.dtype)
    buf[:, pt: pt + x.shape[1], pl: pl + x.shape[2]] = x
    xf = sfft.rfft2(buf, axes=(-2, -1), overwrite_x=True)
    # One transform per distinct kernel slice (a page repeats one 2-D kernel over RGB).
    slices = bank[:, :1] if c > 1 and _same_over_channels(bank) else bank
    dil = np.zeros((*slices.shape[:2], eh, ew), x.dtype)
    dil[:, :, :: d[0], :: d[1]] = slices
    # The kernel has only eh non-zero rows: transform those along the width first, then
    # the columns, instead of a full 2-D transform of a mostly-zero array.
    kf = sfft.fft(sfft.rfft(dil[:, :, ::-1, ::-1], n=shape[1], axis=-1), n=shape[0], axis=-2,
                  overwrite_x=True)
    prod = kf * xf[None]
    if not split:
        prod = prod.sum(axis=1)
    full = sfft.irfft2(prod, s=shape, axes=(-2, -1), overwrite_x=True)
    ho, wo = sizes
    rows = slice(eh - 1, eh - 1 + (ho - 1) * s[0] + 1, s[0])
    cols = slice(ew - 1, ew - 1 + (wo - 1) * s[1] + 1, s[1])
    return np.ascontiguousarray(full[..., rows, cols], dtype=x.dtype)


def _fast_even(n: int) -> int:
    """The smallest even length >= n whose prime factors are all <= 11 (quick for pocketfft)."""
    m = n + (n % 2)
    while True:
        r = m
        for p in (2, 3, 5, 7, 11):
            while r % p == 0:
                r //= p
        if r == 1:
            return m
        m += 2


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0), a new array."""
    return np.maximum(x, 0)


def _pool_windows(x: np.ndarray, size: Pair, stride: Pair | None, padding: Pair, fill: float):
    """Strided windows of a padded input: (..., H', W', kh, kw) plus the padded shape."""
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"Pooling needs a (H, W) or (C, H, W) input, not shape {x.shape}.")
    k = _pair(size, "pool size")
    s = k if stride is None else _pair(stride, "stride")
    p = _pair(padding, "padding")
    for i in range(2):
        if p[i] * 2 > k[i]:
            raise ValueError(
                f"The padding ({p[i]}) can be at most half the pooling window ({k[i]}): "
                "otherwise some windows would hold nothing but padding."
            )
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


def receptive_field(i: int, j: int, kernel: Pair, stride: Pair = 1, padding: Pair = 0,
                    dilation: Pair = 1) -> tuple[tuple[int, int], tuple[int, int]]:
    """Input rows and columns (first, last inclusive, unpadded coordinates, may reach outside
    the image into padding) that output cell (i, j) of one layer looks at."""
    k, s = _pair(kernel, "kernel"), _pair(stride, "stride")
    p, d = _pair(padding, "padding"), _pair(dilation, "dilation")
    r0, c0 = i * s[0] - p[0], j * s[1] - p[1]
    return (r0, r0 + effective_size(k[0], d[0]) - 1), (c0, c0 + effective_size(k[1], d[1]) - 1)

"""Convolution and ReLU in numpy, equal to torch.nn.functional.conv2d (checked in tests).

Conventions are PyTorch's: cross-correlation (the kernel is not flipped), zero padding.
Arrays are (H, W) or (C, H, W); filter banks are (F, C, kh, kw).
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from explorer.learn.geometry import (
    Pair,
    effective_size,
    output_size,
    pair,
    resolve_padding,
)

# Below this many multiply-adds per output value (kernel area x channels) the direct sum of
# shifted slices beats the FFT; above it the FFT's cost no longer grows with the kernel.
_FFT_MIN_TAPS = 30


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
    s, d = pair(stride, "stride"), pair(dilation, "dilation")
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

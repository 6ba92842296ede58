"""Convolution flips the kernel; a CNN layer does not (it computes cross-correlation).

Worked examples computed three ways: the textbook convolution (kernel flipped), the
cross-correlation (kernel as is), and what PyTorch's conv layer returns; the last always
equals the second. Since the kernel is learned, the difference does not matter for a CNN: it
simply learns the flipped kernel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIGNAL = np.array([0.0, 1.0, 2.0, 3.0, 0.0, 0.0])
KERNEL = np.array([1.0, 0.0, -1.0])  # not symmetric, so flipping it changes the result


@dataclass(frozen=True)
class FlipExample:
    x: np.ndarray
    kernel: np.ndarray
    convolution: np.ndarray      # kernel flipped ('valid' positions only)
    correlation: np.ndarray      # kernel as is
    torch_layer: np.ndarray      # torch.nn.functional.conv1d / conv2d

    @property
    def layer_is_correlation(self) -> bool:
        return bool(np.allclose(self.torch_layer, self.correlation))


def example_1d(x: np.ndarray = SIGNAL, k: np.ndarray = KERNEL) -> FlipExample:
    """(n,) signal and (m,) kernel -> (n - m + 1,) results."""
    conv = np.convolve(x, k, mode="valid")
    corr = np.correlate(x, k, mode="valid")
    return FlipExample(x, k, conv, corr, _torch_layer(x, k))


def _torch_layer(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """What PyTorch's conv1d / conv2d returns for (n,) or (H, W) x and a kernel of the same rank,
    'valid' positions. PyTorch is imported here, not with the module: the pages showing this note
    draw their first screen before it, and on a fresh server that first screen then does not wait
    ~2 s for `import torch` (bench/bench_home.py)."""
    import torch
    from torch.nn import functional as F

    layer = F.conv1d if x.ndim == 1 else F.conv2d
    t = torch.tensor(x, dtype=torch.float64)[None, None]
    w = torch.tensor(np.ascontiguousarray(k), dtype=torch.float64)[None, None]
    return layer(t, w)[0, 0].numpy()


def _slide(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Cross-correlation of (H, W) with (m, m), 'valid' positions."""
    m = k.shape[0]
    h, w = x.shape[0] - m + 1, x.shape[1] - m + 1
    return np.array([[float((x[i:i + m, j:j + m] * k).sum()) for j in range(w)] for i in range(h)])


def example_2d(x: np.ndarray, k: np.ndarray) -> FlipExample:
    """(H, W) picture and (m, m) kernel -> (H - m + 1, W - m + 1) results."""
    corr = _slide(x, k)
    conv = _slide(x, k[::-1, ::-1])
    return FlipExample(x, k, conv, corr, _torch_layer(x, k))

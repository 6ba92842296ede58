"""The Pooling page's result as a script: the picture (or its feature map: convolution with the
Convolution page's kernel, stride 1, 'same' padding, optional ReLU) pooled with torch's
max_pool2d / avg_pool2d (sum = average x window area, zero padding counted)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.codegen import picture
from explorer.codegen.script import CELL, Script, array_literal, join


@dataclass(frozen=True, eq=False)
class PoolSettings:
    """what: "picture" or "feature"; mode: "max", "avg" or "sum"."""

    source: picture.Source
    what: str
    kernel: np.ndarray  # the feature map's kernel (used when what == "feature")
    relu: bool
    mode: str
    size: int
    stride: int
    padding: int


def script(s: PoolSettings) -> Script:
    channels = s.source.channels or 1
    feature = s.what == "feature"
    blocks = [
        (f'"""CNN Explorer, Pooling: {s.mode} pooling, window {s.size}x{s.size}, stride {s.stride}, '
         f'padding {s.padding}, of {"a feature map" if feature else "the picture"}."""'),
        CELL,
        picture.imports(s.source),
        CELL + " The picture: float32 (C, H, W) in [0, 1]",
        picture.learn_block(s.source),
    ]
    if feature:
        blocks += [
            CELL + " The feature map: the Convolution page's kernel, stride 1, 'same' padding",
            f"""kernel = np.array({array_literal(s.kernel)}, dtype=np.float32)
weight = torch.from_numpy(kernel).expand(1, {channels}, *kernel.shape)
fmap = F.conv2d(torch.from_numpy(x)[None], weight, padding="same")[0]  # (1, H, W): channels added up"""
            + ("\nfmap = torch.relu(fmap)" if s.relu else "")
            + "\nm = fmap.double()",
        ]
    else:
        blocks.append("m = torch.from_numpy(x).double()  # pooled channel by channel")
    if s.mode == "max":
        call = f"F.max_pool2d(m, {s.size}, stride={s.stride}, padding={s.padding})"
    else:
        call = f"F.avg_pool2d(m, {s.size}, stride={s.stride}, padding={s.padding}, count_include_pad=True)"
        if s.mode == "sum":
            call += f" * {s.size * s.size}  # sum = average x window area"
    blocks += [
        CELL + " The pooling",
        f"pooled = {call}",
        """print("input shape:", tuple(m.shape))
print("pooled shape:", tuple(pooled.shape))
print("pooled sum:", float(pooled.sum()))
print("pooled top-left:", [round(float(v), 6) for v in pooled[0, 0, :4]])""",
    ]
    return Script("The pooling on this page", join(*blocks), "pooling")

"""The Convolution page's result as a script: this picture, this kernel, stride, padding,
dilation and ReLU, through torch.nn.functional.conv2d.

The page convolves each channel with the same 2-D kernel and adds the maps (the kernel repeated
over the channels), in float32; the script does the same with PyTorch's own conv2d.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.codegen import picture
from explorer.codegen.script import CELL, Script, array_literal, join, literal


@dataclass(frozen=True, eq=False)
class ConvSettings:
    """kernel: (kh, kw); padding: a number of pixels, "valid" or "same"."""

    source: picture.Source
    kernel: np.ndarray
    stride: int
    padding: int | str
    dilation: int
    relu: bool
    kernel_name: str = ""


def script(s: ConvSettings) -> Script:
    channels = s.source.channels or 1
    what = f"the {s.kernel_name} kernel" if s.kernel_name else "this kernel"
    code = join(
        f'"""CNN Explorer, Convolution: {what} over the picture with stride {s.stride}, padding '
        f'{s.padding}, dilation {s.dilation}{", then ReLU" if s.relu else ""}."""',
        CELL,
        picture.imports(s.source),
        CELL + " The picture: float32 (C, H, W) in [0, 1]",
        picture.learn_block(s.source),
        CELL + " The kernel (PyTorch's convention: not flipped)",
        f"kernel = np.array({array_literal(s.kernel)}, dtype=np.float32)",
        CELL + " The convolution",
        f"""# One slice per input channel, all the same: {channels} channel map(s) added into one.
weight = torch.from_numpy(kernel).expand(1, {channels}, *kernel.shape)  # (out, in, kh, kw)
out = F.conv2d(torch.from_numpy(x)[None], weight, stride={s.stride}, padding={literal(s.padding)}, dilation={s.dilation})[0, 0]"""
        + ("\nout = torch.relu(out)  # negative values become 0" if s.relu else ""),
        """print("input shape:", tuple(x.shape))
print("output shape:", tuple(out.shape))
print("output sum:", float(out.sum()))
print("output min:", float(out.min()), "max:", float(out.max()))""",
    )
    return Script("The convolution on this page", code, "convolution")

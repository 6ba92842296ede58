"""GoogLeNet's Inception module and the whole GoogLeNet (Szegedy et al. 2014, table 1),
convolutions with biases as in the paper, the 5x5 branch a true 5x5, no auxiliary heads."""

from __future__ import annotations

import torch
from torch import nn

from explorer.models.catalog import register


class ConvReLU(nn.Sequential):
    """A convolution followed by its own ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1, padding: int = 0):
        super().__init__(nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding), nn.ReLU())


class Inception(nn.Module):
    """Four branches side by side, concatenated along channels:
    1x1 | 1x1 reduce -> 3x3 | 1x1 reduce -> 5x5 | 3x3 max pool -> 1x1 projection.

    The 1x1 reductions are the 'bottleneck': they shrink the channels a 3x3 or 5x5 has to read.
    (N, c_in, H, W) -> (N, c1 + c3 + c5 + pool_proj, H, W).
    """

    summary_block = True  # drawn as one volume in the architecture picture

    def __init__(self, c_in: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int, c5: int,
                 pool_proj: int):
        super().__init__()
        self.branch1 = ConvReLU(c_in, c1, 1)
        self.branch3 = nn.Sequential(ConvReLU(c_in, c3_reduce, 1), ConvReLU(c3_reduce, c3, 3, padding=1))
        self.branch5 = nn.Sequential(ConvReLU(c_in, c5_reduce, 1), ConvReLU(c5_reduce, c5, 5, padding=2))
        self.branch_pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                         ConvReLU(c_in, pool_proj, 1))
        self.out_channels = c1 + c3 + c5 + pool_proj

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch3(x), self.branch5(x), self.branch_pool(x)], 1)


# (c_in, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj), table 1 of the paper.
INCEPTION_CONFIGS = {
    "3a": (192, 64, 96, 128, 16, 32, 32),
    "3b": (256, 128, 128, 192, 32, 96, 64),
    "4a": (480, 192, 96, 208, 16, 48, 64),
    "4b": (512, 160, 112, 224, 24, 64, 64),
    "4c": (512, 128, 128, 256, 24, 64, 64),
    "4d": (512, 112, 144, 288, 32, 64, 64),
    "4e": (528, 256, 160, 320, 32, 128, 128),
    "5a": (832, 256, 160, 320, 32, 128, 128),
    "5b": (832, 384, 192, 384, 48, 128, 128),
}


@register("inception3a", title="Inception module 3a (GoogLeNet's first)", input_size=(192, 28, 28),
          description="GoogLeNet's first Inception module on its real input, 192 channels of "
                      "28x28: 1x1, 3x3 and 5x5 convolutions and a max pooling side by side "
                      "(64 + 128 + 32 + 32 = 256 channels out), 1x1 bottlenecks before the "
                      "3x3 and 5x5.")
def inception3a(in_channels: int = 192, num_classes: int | None = None, input_size=None) -> nn.Module:
    """(N, in_channels, H, W) -> (N, 256, H, W). num_classes and input_size are accepted
    for a uniform call and ignored (a module, not a classifier)."""
    return Inception(in_channels, *INCEPTION_CONFIGS["3a"][1:])


class GoogLeNet(nn.Module):
    """The 22-layer GoogLeNet: stem, nine Inception modules, global average pooling instead
    of dense layers, dropout, one linear layer. (N, C, H, W) -> (N, num_classes)."""

    def __init__(self, in_channels: int = 3, num_classes: int = 1000, dropout: float = 0.4):
        super().__init__()
        self.stem = nn.Sequential(
            ConvReLU(in_channels, 64, 7, stride=2, padding=3),
            nn.MaxPool2d(3, stride=2, ceil_mode=True),
            nn.LocalResponseNorm(5),
            ConvReLU(64, 64, 1),
            ConvReLU(64, 192, 3, padding=1),
            nn.LocalResponseNorm(5),
            nn.MaxPool2d(3, stride=2, ceil_mode=True),
        )
        blocks = {}
        for name, cfg in INCEPTION_CONFIGS.items():
            blocks[f"inception{name}"] = Inception(*cfg)
            if name in ("3b", "4e"):
                blocks[f"pool{name[0]}"] = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inceptions = nn.Sequential()
        for name, block in blocks.items():
            self.inceptions.add_module(name, block)
        # Global average pooling: one number per channel, whatever the picture's size.
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.inceptions(self.stem(x)))
        return self.fc(self.dropout(self.flatten(x)))


@register("googlenet", title="GoogLeNet (2014)", input_size=(3, 224, 224),
          description="Nine Inception modules and, instead of dense layers, global average "
                      "pooling: each of the last 1024 channels becomes one number, so the head "
                      "has only 1024 x 1000 weights. About 7 million parameters, a tenth of "
                      "AlexNet's.")
def googlenet(in_channels: int = 3, num_classes: int = 1000, input_size=None) -> nn.Module:
    """input_size is accepted for a uniform call and ignored: the head never depends on it."""
    return GoogLeNet(in_channels, num_classes)

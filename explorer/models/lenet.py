"""LeNet-5 as LeCun et al. (1998) drew it: C3's partial connection table, trainable
subsampling, scaled tanh squashing.

The final RBF layer of the paper is replaced by a linear layer (the modern reading), so the
network ends in class scores for a cross-entropy loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from explorer.models.catalog import register
from explorer.models.shapes import flat_features

# Table I of the paper: which of S2's 6 maps each of C3's 16 maps reads. The first six read
# 3 neighbouring maps, the next six 4 neighbours, three read 4 non-neighbours, the last all 6.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class PartialConv2d(nn.Module):
    """A convolution where output map k sees only the input maps table[k].

    Only the connected 5x5 kernels are parameters: for C3 that is 60 kernels x 25 + 16 biases
    = 1,516 trainable numbers instead of a full 16x6x25 + 16 = 2,416.
    """

    def __init__(self, in_channels: int, table, kernel_size: int = 5):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, len(table)
        self.kernel_size = (kernel_size, kernel_size)
        self.padding = 0
        pairs = [(k, i) for k, ins in enumerate(table) for i in ins]
        self.register_buffer("out_index", torch.tensor([k for k, _ in pairs]), persistent=False)
        self.register_buffer("in_index", torch.tensor([i for _, i in pairs]), persistent=False)
        self.weight = nn.Parameter(torch.empty(len(pairs), kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(len(table)))
        fan_in = torch.tensor([len(ins) * kernel_size * kernel_size for ins in table],
                              dtype=torch.float32)
        bound = (1.0 / fan_in.sqrt())
        with torch.no_grad():
            # Same spread as nn.Conv2d's default, per output map's own fan-in.
            self.weight.uniform_(-1, 1).mul_(bound[self.out_index].view(-1, 1, 1))
            self.bias.uniform_(-1, 1).mul_(bound)

    def full_weight(self) -> torch.Tensor:
        """(out, in, k, k) kernel with zeros where the table has no connection."""
        w = self.weight.new_zeros(self.out_channels, self.in_channels, *self.kernel_size)
        return w.index_put((self.out_index, self.in_index), self.weight)

    def effective_macs(self, output_shape: tuple[int, ...]) -> int:
        """Products the paper counts: only connected kernels (the dense kernel's zeros are free)."""
        _, h, w = output_shape
        return self.weight.numel() * h * w

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in, H, W) -> (N, out, H-k+1, W-k+1)."""
        return F.conv2d(x, self.full_weight(), self.bias)


class Subsample(nn.Module):
    """LeNet's S-layers: average of each 2x2 block times a trainable coefficient plus a
    trainable bias, one pair per map (2 parameters per map)."""

    def __init__(self, channels: int, kernel_size: int = 2):
        super().__init__()
        # One leaf module (no child pooling module), so its 2 parameters per map show up on
        # its own row of the per-layer table.
        self.kernel_size, self.stride, self.padding = kernel_size, kernel_size, 0
        self.coefficient = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, C, H/2, W/2)."""
        return F.avg_pool2d(x, self.kernel_size) * self.coefficient.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class ScaledTanh(nn.Module):
    """The paper's squashing function f(a) = 1.7159 tanh(2a/3)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))


@register("lenet5", title="LeNet-5 (1998)", input_size=(1, 32, 32), trainable=True,
          description="LeCun's digit reader. At its 32x32 input: C1 6@28x28, S2, C3 16@10x10 "
                      "with the partial connection table (1,516 parameters, not 2,416), S4, C5 "
                      "120, F6 84; 60,850 parameters.")
def lenet5(in_channels: int = 1, num_classes: int = 10, input_size=(32, 32)) -> nn.Module:
    """(N, C, H, W) -> (N, num_classes). At 32x32, C5's 5x5 kernels cover the whole 5x5 map
    of S4, so C5 is one 120-vector; a larger input leaves a larger C5 map to flatten."""
    features = nn.Sequential(
        nn.Conv2d(in_channels, 6, 5), ScaledTanh(),   # C1
        Subsample(6), ScaledTanh(),                    # S2
        PartialConv2d(6, C3_TABLE, 5), ScaledTanh(),   # C3
        Subsample(16), ScaledTanh(),                   # S4
        nn.Conv2d(16, 120, 5), ScaledTanh(),           # C5
    )
    n = flat_features(features, in_channels, input_size)
    return nn.Sequential(
        *features, nn.Flatten(),
        nn.Linear(n, 84), ScaledTanh(),                # F6
        nn.Linear(84, num_classes),                    # output
    )


def c3_parameter_count() -> int:
    """Trainable numbers in C3 as the paper counts them (the partial table)."""
    return sum(len(ins) * 25 + 1 for ins in C3_TABLE)


@dataclass(frozen=True)
class C3Counts:
    """C3's numbers with the partial table against a full 6 -> 16 connection.

    The paper (and the course) counts a "connection" as one product or bias addition per
    output position; the course's 240,000 for the full layer counts the weights only.
    """

    weights: int          # connected 5x5 kernels x 25
    biases: int           # one per output map
    full_weights: int     # 16 x 6 x 25
    positions: int        # output positions per map (10 x 10 at 32x32)

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def full_params(self) -> int:
        return self.full_weights + self.biases

    @property
    def connections(self) -> int:
        return self.params * self.positions

    @property
    def full_weight_connections(self) -> int:
        """The course's figure for full connection (weights x positions, biases left out)."""
        return self.full_weights * self.positions

    @property
    def full_connections(self) -> int:
        return self.full_params * self.positions


def c3_matrix() -> np.ndarray:
    """(6, 16) bool: row i, column k is True when C3 map k reads S2 map i (the paper's Table I)."""
    m = np.zeros((6, len(C3_TABLE)), bool)
    for k, ins in enumerate(C3_TABLE):
        m[list(ins), k] = True
    return m


def c3_counts(input_side: int = 32, kernel: int = 5) -> C3Counts:
    """Counts for C3 at a square input (its maps are (side - 4) / 2 - 4 wide)."""
    side = (input_side - kernel + 1) // 2 - kernel + 1
    m = c3_matrix()
    return C3Counts(int(m.sum()) * kernel * kernel, m.shape[1], m.size * kernel * kernel, side * side)

"""FastNet's variants measured for issue 21 (bench/README.md, "Training, round 3"): max-pool
before batch-norm and ReLU (`pool_first`, FastNet's layout since round 6), other channel counts
(`widths`), other stems (`stem`: "avgpool" as FastNet, "unshuffle", "patch4", "stride2"), and
convolutions that halve the map themselves in place of max-pooling (`strided`, round 8).
The defaults here are FastNet's earlier layout (conv, batch-norm, ReLU, max-pool; dropout 0.1),
so the rows of rounds 3-5 rerun as they were measured.
"""

from __future__ import annotations

from torch import nn


def _block(c_in: int, c_out: int, pool: bool, pool_first: bool, strided: bool = False) -> list[nn.Module]:
    """conv 3x3 -> batch-norm -> ReLU [-> max-pool 2x2]; pool_first: conv -> max-pool ->
    batch-norm -> ReLU, so batch-norm and ReLU (memory-bound) see a quarter of the pixels;
    strided: the convolution itself halves the map (stride 2), no max-pool."""
    if pool and strided:
        return [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
    conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
    if pool and pool_first:
        return [conv, nn.MaxPool2d(2), nn.BatchNorm2d(c_out), nn.ReLU()]
    return [conv, nn.BatchNorm2d(c_out), nn.ReLU()] + ([nn.MaxPool2d(2)] if pool else [])


def _stem(stem: str, c_in: int, chans: tuple[int, ...]) -> tuple[list[nn.Module], int, int, tuple[int, ...]]:
    """(layers, how much they shrink a side, channels out, the blocks' channels left)."""
    if stem == "avgpool":  # FastNet's: 64x64 -> 32x32
        return [nn.AvgPool2d(2)], 2, c_in, chans
    if stem == "unshuffle":  # 2x2 pixels become 4 channels (nothing averaged away)
        return [nn.PixelUnshuffle(2)], 2, 4 * c_in, chans
    if stem == "patch4":  # a learned 4x4 stride-4 stem replaces the first block
        return [nn.Conv2d(c_in, chans[0], 4, stride=4, bias=False), nn.BatchNorm2d(chans[0]), nn.ReLU()], 4, chans[0], chans[1:]
    if stem == "stride2":  # halve, then the first conv with stride 2 (no max-pool)
        return ([nn.AvgPool2d(2), nn.Conv2d(c_in, chans[0], 3, stride=2, padding=1, bias=False),
                 nn.BatchNorm2d(chans[0]), nn.ReLU()], 4, chans[0], chans[1:])
    raise ValueError(f"unknown stem {stem!r}")


def build(in_channels: int = 1, num_classes: int = 10, input_size=(64, 64), width: int = 16,
          dropout: float = 0.1, pool_first: bool = False, widths: list[int] | None = None,
          stem: str = "avgpool", strided: bool = False) -> nn.Sequential:
    """(N, in_channels, 64, 64) -> (N, num_classes) logits; the defaults are FastNet's layers."""
    layers, shrink, c_in, chans = _stem(stem, in_channels, tuple(widths or (width, 2 * width, 4 * width, 8 * width)))
    size = min(input_size) // shrink
    for i, c_out in enumerate(chans):
        pool = i < len(chans) - 1 and size >= 4
        layers += _block(c_in, c_out, pool, pool_first, strided)
        size, c_in = (size // 2 if pool else size), c_out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout),
                         nn.Linear(c_in, num_classes))

"""FastNet: the app's default trainable CNN, built to train in seconds on a laptop CPU.

Why it is fast: it halves the resolution first (64x64 -> 32x32 costs a quarter of the
convolutions and loses little for hand signs), batch-norm lets a high one-cycle learning rate
work, and global average pooling replaces a large dense layer.
"""

from __future__ import annotations

from torch import nn

from explorer.models.catalog import register


def _block(c_in: int, c_out: int, pool: bool, pool_first: bool = False) -> list[nn.Module]:
    """conv 3x3 -> batch-norm -> ReLU [-> max-pool 2x2]; each module used once (Captum).

    pool_first: conv 3x3 -> max-pool 2x2 -> batch-norm -> ReLU, so batch-norm and ReLU (memory-
    bound) see a quarter of the pixels."""
    conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
    if pool and pool_first:
        return [conv, nn.MaxPool2d(2), nn.BatchNorm2d(c_out), nn.ReLU()]
    layers: list[nn.Module] = [conv, nn.BatchNorm2d(c_out), nn.ReLU()]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return layers


@register("fastnet", title="FastNet (fast default)", input_size=(1, 64, 64), trainable=True,
          description="Halves the resolution, then four conv/batch-norm/ReLU blocks and global "
                      "average pooling: about 98% on Sign Language Digits in seconds on a CPU.")
def fastnet(in_channels: int = 1, num_classes: int = 10, input_size: tuple[int, int] | None = None,
            width: int = 16, dropout: float = 0.1, pool_first: bool = False,
            widths: list[int] | None = None, stem: str = "avgpool") -> nn.Module:
    """(N, in_channels, H, W) -> (N, num_classes) logits.

    input_size (H, W) decides the downsampling: 64x64 is halved, then pooled 3 times (4x4
    left); small images such as the 8x8 digits are pooled less, so any size >= 2 works.
    pool_first (max-pool before batch-norm and ReLU), widths (4 channel counts) and stem
    ("avgpool", the default; "unshuffle", "patch4", "stride2") are variants measured in
    bench/README.md (issue 21, none made the default), kept so bench_train_variants can rerun
    them. Their defaults are the layer order every saved FastNet has.
    """
    w = width
    chans = tuple(widths) if widths else (w, 2 * w, 4 * w, 8 * w)
    size = min(input_size) if input_size else 64
    layers: list[nn.Module] = []
    c_in = in_channels
    if size >= 32 and stem == "avgpool":  # 64x64 -> 32x32: a quarter of the work, little lost for hand signs
        layers.append(nn.AvgPool2d(2))
        size //= 2
    elif size >= 32 and stem == "patch4":  # a learned 4x4 stride-4 stem replaces the first block
        layers += [nn.Conv2d(c_in, chans[0], 4, stride=4, bias=False), nn.BatchNorm2d(chans[0]), nn.ReLU()]
        size, c_in, chans = size // 4, chans[0], chans[1:]
    elif size >= 32 and stem == "stride2":  # halve, then the first conv with stride 2 (no max-pool)
        layers += [nn.AvgPool2d(2), nn.Conv2d(c_in, chans[0], 3, stride=2, padding=1, bias=False),
                   nn.BatchNorm2d(chans[0]), nn.ReLU()]
        size, c_in, chans = size // 4, chans[0], chans[1:]
    elif size >= 32 and stem == "unshuffle":  # 2x2 pixels become 4 channels (nothing averaged away)
        layers.append(nn.PixelUnshuffle(2))
        size //= 2
        c_in *= 4
    for i, c_out in enumerate(chans):
        pool = i < len(chans) - 1 and size >= 4  # small inputs (8x8 digits) keep at least 2x2
        layers += _block(c_in, c_out, pool, pool_first)
        size, c_in = (size // 2 if pool else size), c_out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout),
                         nn.Linear(c_in, num_classes))

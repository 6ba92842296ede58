"""Depth as papers count it: weight layers (convolutions and dense layers) on the longest
path from input to output. VGG-16 has 16, GoogLeNet 22, ResNet-18 18; pooling, normalisation
and activations are not counted, an Inception module counts its deepest branch, a residual
block its main path (the 1x1 shortcut projection runs beside it)."""

from __future__ import annotations

from torch import nn


def is_weight_layer(module: nn.Module) -> bool:
    """A convolution (LeNet's partial one included) or a dense layer."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        return True
    return hasattr(module, "kernel_size") and isinstance(getattr(module, "weight", None), nn.Parameter)


def weight_depth(module: nn.Module) -> int:
    """Weight layers on the longest input-to-output path of `module`."""
    if is_weight_layer(module):
        return 1
    children = dict(module.named_children())
    branches = [c for n, c in children.items() if n.startswith("branch")]
    if branches:  # side by side (Inception): the deepest branch
        return max(weight_depth(b) for b in branches)
    # In order (Sequential, a stem then stages, a residual block's main path): add up,
    # leaving out a residual block's shortcut projection.
    return sum(weight_depth(c) for n, c in children.items() if n != "downsample")

"""Words for layers: what kind a module is and a one-line description of it."""

from __future__ import annotations

from torch import nn


def _pair(v) -> tuple:
    return v if isinstance(v, tuple) else (v, v)


def kind_of(module: nn.Module) -> str:
    if isinstance(module, nn.Linear):
        return "dense"
    if hasattr(module, "kernel_size") and hasattr(module, "weight") or isinstance(module, nn.Conv2d):
        return "conv"
    if hasattr(module, "kernel_size") or isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return "pool"
    if isinstance(module, (nn.ReLU, nn.Tanh, nn.Sigmoid)) or type(module).__name__.endswith("Tanh"):
        return "activation"
    if isinstance(module, (nn.BatchNorm2d, nn.LocalResponseNorm)):
        return "norm"
    if isinstance(module, nn.Dropout):
        return "dropout"
    return "other"


def describe(module: nn.Module) -> str:
    """A short human description: 'Conv2d 5x5 /2 pad 2, 64 filters', 'MaxPool2d 3x3 /2'."""
    name = type(module).__name__
    if isinstance(module, nn.Linear):
        return f"{name} {module.in_features} -> {module.out_features}"
    if isinstance(module, nn.Dropout):  # FastNet keeps a p=0 one (saved specs may set p): say it is off
        return f"{name} p={module.p:g}" + (" (off: passes its input through)" if module.p == 0 else "")
    if isinstance(module, nn.AdaptiveAvgPool2d):
        return f"{name} to {'x'.join(str(s) for s in _pair(module.output_size))} (global average)" \
            if _pair(module.output_size) == (1, 1) else f"{name} to {module.output_size}"
    kernel = getattr(module, "kernel_size", None)
    if kernel is None:
        return name
    k = _pair(kernel)
    text = f"{name} {k[0]}x{k[1]}"
    stride = _pair(getattr(module, "stride", 1) or k)
    if stride != (1, 1):
        text += f" /{stride[0]}"
    pad = _pair(getattr(module, "padding", 0))
    if pad != (0, 0):
        text += f" pad {pad[0]}"
    dilation = _pair(getattr(module, "dilation", 1))
    if dilation != (1, 1) and kind_of(module) == "conv":
        text += f" dilation {dilation[0]}"
    if kind_of(module) == "conv":
        text += f", {module.out_channels} filters"
        groups = getattr(module, "groups", 1)
        if groups > 1:  # AlexNet's two GPUs: each filter reads only its group's input maps
            text += f", {groups} groups"
    return text

"""What one network costs for one picture, and the server's bound on it.

Measured on PyTorch's meta device (shapes only: nothing is allocated, so a monstrous upload or
layer table is measured for free): parameters, multiply-accumulates (MACs) of a forward pass,
and the numbers in every layer's output (the feature maps a request holds). An upload, a
layer-builder network and every page request are checked against limits.MODEL_* before
anything runs.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
from torch import nn

from explorer import limits
from explorer.models.shapes import shape_copy


class TooCostly(ValueError):
    """A network or a request over the server's bounds; str(error) is a sentence for people."""


@dataclass(frozen=True)
class Cost:
    """The size of one network for one picture."""

    params: int
    macs: int  # multiply-accumulates of one forward pass of one picture
    activations: int  # numbers in every layer's output for one picture
    outputs: int = 0  # numbers the network outputs for one picture (its classes)


def cost(model: torch.nn.Module, input_size) -> Cost:
    """Parameters, MACs and feature-map numbers of `model` for one (C, H, W) picture.

    One forward pass of a private shape-only twin (never the caller's module, which sessions
    share) with a hook on every leaf layer. MACs are counted for convolutions and dense layers
    (`layer_macs`). Raises ValueError
    (InputTooSmall) or RuntimeError when the input does not fit the network.
    """
    twin = shape_copy(model)
    twin.eval()
    counts = {"macs": 0, "acts": 0}

    def hook(module, args, output):
        if not torch.is_tensor(output):
            return
        counts["acts"] += output[0].numel()
        counts["macs"] += layer_macs(module, tuple(output.shape[1:]))

    leaves = [m for m in twin.modules() if not any(True for _ in m.children())]
    handles = [m.register_forward_hook(hook) for m in leaves]
    try:
        with torch.no_grad():
            y = twin(torch.empty((1, *tuple(int(v) for v in input_size)), device="meta"))
    finally:
        for h in handles:
            h.remove()
    return Cost(sum(p.numel() for p in model.parameters()), counts["macs"], counts["acts"],
                math.prod(y.shape[1:]))


def layer_macs(module: nn.Module, output_shape: tuple[int, ...]) -> int:
    """Multiply-accumulates of one leaf layer for one example whose output has output_shape (no
    batch axis), as torch's FlopCounterMode counts them (FLOPs / 2): a convolution does
    in_channels / groups x kernel area per output value, a dense layer in_features per output
    value (biases not counted), every other layer none; a layer with an `effective_macs(shape)`
    method says itself (LeNet's C3: only its connected weights). From shapes, not with
    FlopCounterMode, whose global hooks reach every module running in the process (summary.py)."""
    own = getattr(module, "effective_macs", None)
    if own is not None:
        return own(output_shape)
    if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        return math.prod(output_shape) * module.in_channels // module.groups * math.prod(module.kernel_size)
    if isinstance(module, nn.Linear):
        return math.prod(output_shape) * module.in_features
    return 0


def check_model(c: Cost, input_size, what: str = "This model") -> None:
    """Refuse a network too costly for a shared server, whatever it is asked (TooCostly)."""
    side = max(int(v) for v in tuple(input_size)[1:])
    if side > limits.MODEL_INPUT_SIDE:
        raise TooCostly(f"{what} takes {side}-pixel pictures; this server allows up to "
                        f"{limits.MODEL_INPUT_SIDE} pixels per side (pictures are shrunk to the model's "
                        "input anyway).")
    if c.macs > limits.MODEL_MACS:
        raise TooCostly(f"{what} needs {c.macs / 1e6:,.0f} million multiply-adds per picture; this server "
                        f"allows up to {limits.MODEL_MACS / 1e6:,.0f} million ({course_cnn_reference()}). "
                        "Use fewer channels, or pool or stride earlier.")
    if c.activations * 4 > limits.MODEL_ACTIVATION_BYTES:
        raise TooCostly(f"{what} keeps {c.activations * 4 / 2**20:,.0f} MB of feature maps per picture; this "
                        f"server allows up to {limits.MODEL_ACTIVATION_BYTES / 2**20:,.0f} MB. Use fewer "
                        "channels in the first layers, or pool earlier.")


def check_request(passes: float, c: Cost, what: str) -> None:
    """Refuse one page request that needs `passes` forward passes (or their equivalent) of a
    model costing `c` when that exceeds limits.REQUEST_MACS; `what` names the request's knobs."""
    total = passes * c.macs
    if total > limits.REQUEST_MACS:
        raise TooCostly(f"This would take {passes:,.0f} passes through the model ({total / 1e9:,.0f} billion "
                        f"multiply-adds), more than one request may ask of this shared server "
                        f"({limits.REQUEST_MACS / 1e9:,.0f} billion). {what}")


def batch_size(c: Cost, most: int = 512) -> int:
    """Pictures per batch so that one batch's feature maps stay within limits.BATCH_BYTES."""
    return int(max(1, min(most, limits.BATCH_BYTES // max(1, c.activations * 4))))


@functools.lru_cache(maxsize=1)
def course_cnn_macs() -> int:
    """Multiply-adds of the course's hand-sign CNN for one 64x64 grey picture (shapes only)."""
    from explorer.models.catalog import build

    with torch.device("meta"):
        net = build("course_cnn", in_channels=1, num_classes=10, input_size=(64, 64))
    return cost(net, (1, 64, 64)).macs


def course_cnn_reference() -> str:
    """'the course's CNN needs 151 million', computed, for a refusal's sentence."""
    return f"the course's CNN needs {course_cnn_macs() / 1e6:,.0f} million"

"""The layer-by-layer builder: a JSON-able list of layers -> nn.Module, shapes checked first.

A layer is a dict with a "type" and its settings:
  {"type": "conv", "channels": 16, "kernel": 3, "stride": 1, "padding": 1}
  {"type": "maxpool" | "avgpool", "size": 2}          (stride = size)
  {"type": "relu"}, {"type": "batchnorm"}, {"type": "dropout", "p": 0.25}
  {"type": "dense", "units": 64}
The data is flattened before the first dense layer, and a last dense layer with one output per
class is always added (so every spec is a classifier). `shapes()` walks the list and raises
LayerError naming the first layer that does not fit and why, with the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from torch import nn

from explorer import limits

TYPES = ("conv", "maxpool", "avgpool", "relu", "batchnorm", "dropout", "dense")
LIMITS = {"layers": 30, "channels": 256, "kernel": 11, "units": 2048, "params": 5_000_000}

DEFAULT = [
    {"type": "conv", "channels": 16, "kernel": 3, "stride": 1, "padding": 1},
    {"type": "batchnorm"},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "conv", "channels": 32, "kernel": 3, "stride": 1, "padding": 1},
    {"type": "batchnorm"},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "conv", "channels": 64, "kernel": 3, "stride": 1, "padding": 1},
    {"type": "batchnorm"},
    {"type": "relu"},
    {"type": "maxpool", "size": 4},
    {"type": "dense", "units": 64},
    {"type": "relu"},
    {"type": "dropout", "p": 0.25},
]


class LayerError(ValueError):
    """A layer that cannot be built; `index` is its position (0-based, None for the whole spec)."""

    def __init__(self, message: str, index: int | None = None):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class LayerShape:
    index: int  # position in the spec; the added output layer has index len(spec)
    label: str  # e.g. "conv 3x3, 16 channels, stride 1, padding 1"
    shape: tuple[int, ...]  # output shape without the batch: (C, H, W) or (features,)
    params: int


def _int(layer: dict, key: str, default: int, lo: int, hi: int, i: int) -> int:
    v = layer.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or not lo <= v <= hi:
        raise LayerError(f"Layer {i + 1} ({layer.get('type')}): {key} must be a whole number from {lo} "
                         f"to {hi}, not {v!r}.", i)
    return int(v)


def _label(layer: dict) -> str:
    t = layer["type"]
    if t == "conv":
        return (f"conv {layer.get('kernel', 3)}x{layer.get('kernel', 3)}, {layer.get('channels')} channels, "
                f"stride {layer.get('stride', 1)}, padding {layer.get('padding', 0)}")
    if t in ("maxpool", "avgpool"):
        return f"{t[:3]}-pool {layer.get('size', 2)}x{layer.get('size', 2)}"
    if t == "dense":
        return f"dense, {layer.get('units')} units"
    if t == "dropout":
        return f"dropout p={layer.get('p', 0.5)}"
    return {"relu": "ReLU", "batchnorm": "batch-norm"}[t]


def _check_spec(layers, input_size, num_classes) -> tuple[tuple[int, int, int], int]:
    if not isinstance(layers, list) or not all(isinstance(l, dict) for l in layers):
        raise LayerError("The layers must be a list of layer settings.")
    if len(layers) > LIMITS["layers"]:
        raise LayerError(f"At most {LIMITS['layers']} layers, please (this has {len(layers)}).")
    if (not isinstance(input_size, (list, tuple)) or len(input_size) != 3
            or not all(isinstance(v, int) and 1 <= v <= 1024 for v in input_size)):
        raise LayerError(f"The input size must be [channels, height, width], not {input_size!r}.")
    if max(input_size[1:]) > limits.MODEL_INPUT_SIDE or input_size[0] > 4:
        raise LayerError(f"The network takes {input_size[1]}x{input_size[2]} pictures with {input_size[0]} "
                         f"channels; this server allows up to {limits.MODEL_INPUT_SIDE} pixels per side and "
                         "4 channels.")
    if not isinstance(num_classes, int) or not 2 <= num_classes <= 1000:
        raise LayerError(f"The number of classes must be from 2 to 1000, not {num_classes!r}.")
    for i, layer in enumerate(layers):
        if layer.get("type") not in TYPES:
            raise LayerError(f"Layer {i + 1}: unknown type {layer.get('type')!r}; use one of {', '.join(TYPES)}.", i)
    return tuple(input_size), num_classes


def _step(layer: dict, shape: tuple, i: int) -> tuple[Callable[[], nn.Module], tuple, int, bool]:
    """(module factory, output shape, params, flatten first?) for one layer given its input.
    Modules are made only after the whole spec is checked (a huge layer is refused unbuilt)."""
    t, flat = layer["type"], len(shape) == 1
    name = f"Layer {i + 1} ({_label(layer)})"
    if t in ("conv", "maxpool", "avgpool") and flat:
        raise LayerError(f"{name} needs an image (channels x height x width), but a dense layer before it "
                         f"already turned the data into a flat list of {shape[0]} numbers. Put convolutions "
                         "and pooling before the dense layers.", i)
    if t == "conv":
        c, h, w = shape
        out = _int(layer, "channels", 16, 1, LIMITS["channels"], i)
        k = _int(layer, "kernel", 3, 1, LIMITS["kernel"], i)
        s = _int(layer, "stride", 1, 1, 8, i)
        p = _int(layer, "padding", 0, 0, k, i)
        if h + 2 * p < k or w + 2 * p < k:
            raise LayerError(f"{name} does not fit: its {k}x{k} kernel is larger than its {h}x{w} input "
                             f"(plus padding {p}). Use a smaller kernel, more padding, or fewer pooling "
                             "layers before it.", i)
        oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        return lambda: nn.Conv2d(c, out, k, stride=s, padding=p), (out, oh, ow), out * (c * k * k + 1), False
    if t in ("maxpool", "avgpool"):
        c, h, w = shape
        k = _int(layer, "size", 2, 1, 16, i)
        if h < k or w < k:
            raise LayerError(f"{name} does not fit: it pools {k}x{k} windows but its input is only {h}x{w}. "
                             "Remove a pooling layer or use a smaller window.", i)
        mod = (lambda: nn.MaxPool2d(k)) if t == "maxpool" else (lambda: nn.AvgPool2d(k))
        return mod, (c, h // k, w // k), 0, False
    if t == "relu":
        return nn.ReLU, shape, 0, False
    if t == "batchnorm":
        n = shape[0]
        return (lambda: nn.BatchNorm1d(n) if flat else nn.BatchNorm2d(n)), shape, 2 * n, False
    if t == "dropout":
        p = layer.get("p", 0.5)
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise LayerError(f"{name}: the dropout probability must be from 0 to below 1, not {p!r}.", i)
        return (lambda: nn.Dropout(p) if flat else nn.Dropout2d(p)), shape, 0, False
    units = _int(layer, "units", 64, 1, LIMITS["units"], i)
    n_in = shape[0] if flat else shape[0] * shape[1] * shape[2]
    return lambda: nn.Linear(n_in, units), (units,), units * (n_in + 1), not flat


def _macs(layer: dict, shape_in: tuple, shape_out: tuple) -> int:
    """Multiply-accumulates of one layer for one picture (convolutions and dense layers)."""
    if layer["type"] == "conv":
        k = int(layer.get("kernel", 3))
        return shape_out[0] * shape_out[1] * shape_out[2] * shape_in[0] * k * k
    if layer["type"] == "dense":
        return shape_out[0] * math.prod(shape_in)
    return 0


def _walk(layers, input_size, num_classes) -> tuple[list[LayerShape], list[Callable[[], nn.Module]]]:
    shape, num_classes = _check_spec(layers, input_size, num_classes)
    rows, modules, total, macs, acts = [], [], 0, 0, 0
    for i, layer in enumerate(list(layers) + [{"type": "dense", "units": num_classes}]):
        before = shape
        mod, shape, params, flatten = _step(layer, shape, i)
        macs, acts = macs + _macs(layer, before, shape), acts + math.prod(shape)
        if flatten:
            modules.append(nn.Flatten)
        modules.append(mod)
        total += params
        label = _label(layer) if i < len(layers) else f"output: dense, {num_classes} classes"
        rows.append(LayerShape(i, label, tuple(shape), params))
    if total > LIMITS["params"]:
        raise LayerError(f"This network has {total:,} parameters; the builder allows up to "
                         f"{LIMITS['params']:,} so it trains on a laptop. Use fewer channels or units, or "
                         "pool more before the dense layers.")
    if macs > limits.MODEL_MACS:
        raise LayerError(f"This network needs {macs / 1e6:,.0f} million multiply-adds per picture; the server "
                         f"allows up to {limits.MODEL_MACS / 1e6:,.0f} million ({_course_reference()}), or "
                         "training would take hours. Use fewer channels, or pool or stride earlier.")
    if acts * 4 > limits.MODEL_ACTIVATION_BYTES:
        raise LayerError(f"This network keeps {acts * 4 / 2**20:,.0f} MB of feature maps per picture; the server "
                         f"allows up to {limits.MODEL_ACTIVATION_BYTES / 2**20:,.0f} MB. Use fewer channels in "
                         "the first layers, or pool earlier.")
    return rows, modules


def shapes(layers: list[dict], input_size, num_classes: int) -> list[LayerShape]:
    """Each layer's output shape and parameters (the output layer last); raises LayerError."""
    return _walk(layers, input_size, num_classes)[0]


def build(layers: list[dict], input_size, num_classes: int) -> nn.Sequential:
    """The network for a spec: (N, C, H, W) -> (N, num_classes) logits; raises LayerError."""
    return nn.Sequential(*(make() for make in _walk(layers, input_size, num_classes)[1]))


def spec(layers: list[dict], input_size, num_classes: int) -> dict:
    """The registry's meta["spec"] for a built network."""
    return {"architecture": "custom", "layers": [dict(l) for l in layers],
            "input_size": list(input_size), "num_classes": int(num_classes)}


def _course_reference() -> str:
    from explorer.models.cost import course_cnn_reference  # the cost module builds networks itself

    return course_cnn_reference()

"""A per-layer table of a model for one input size: output shape, parameters, MACs.

Runs on PyTorch's meta device (shapes only), so VGG-19 at 224x224 is summarised instantly
without computing a single product. MACs (multiply-accumulates) are counted from each layer's
output shape and weights as torch's FlopCounterMode counts them (convolutions and dense layers;
pooling, normalisation and activations count none), unless a layer says how many it really does
(LeNet's C3): explorer.models.cost.layer_macs. tests/test_summary.py checks every architecture
against FlopCounterMode.

Why not FlopCounterMode itself: while it counts, its module tracker's global hooks reach every
module running in the process, in any thread; a Captum call on another session's thread then
failed inside autograd, so every attribution of every session had to take turns with every layer
table behind one process-wide lock (bench/README.md, issue 16). Counting from shapes needs none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn
from torch.func import functional_call

from explorer.models.cost import layer_macs
from explorer.models.layers import describe, kind_of
from explorer.models.shapes import (
    InputTooSmall,
    entered_layers,
    explain,
    meta_params,
    shape_copy,
)


@dataclass(frozen=True)
class Row:
    """One leaf layer, in the order the forward pass runs it."""

    name: str                    # qualified module name, e.g. "layer2.0.conv1"
    layer: str                   # what it is, e.g. "Conv2d 3x3 /2, 128 filters"
    kind: str                    # conv, pool, dense, activation, norm, dropout, other
    output_shape: tuple[int, ...]  # one example, no batch axis: (C, H, W) or (features,)
    params: int
    macs: int


@dataclass(frozen=True)
class Summary:
    """Rows plus totals; iterating a Summary gives its rows."""

    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    rows: list[Row] = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0
    total_macs: int = 0
    # Composite modules marked `summary_block = True` (an Inception module): their output,
    # for pictures that draw the block as one volume. Not counted in the totals.
    blocks: list[Row] = field(default_factory=list)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def table(self) -> dict[str, list]:
        """Columns for a dataframe."""
        return {
            "Layer": [r.name for r in self.rows],
            "Type": [r.layer for r in self.rows],
            "Output shape": [" x ".join(str(s) for s in r.output_shape) for r in self.rows],
            "Parameters": [r.params for r in self.rows],
            "MACs": [r.macs for r in self.rows],
        }


def summary(model: nn.Module, input_shape) -> Summary:
    """Per-layer rows and totals for one example of shape (C, H, W).

    Raises InputTooSmall (a ValueError) naming the layer where the picture shrank to nothing.
    """
    input_shape = tuple(int(s) for s in input_shape)
    x = torch.empty((1, *input_shape), device="meta")
    model = shape_copy(model)  # never hooks or swaps the caller's module (shared by sessions)
    rows: list[Row] = []
    handles = []

    def post(module, args, output, name):
        macs = layer_macs(module, tuple(output.shape[1:]))
        params = sum(p.numel() for p in module.parameters(recurse=False))
        rows.append(Row(name, describe(module), kind_of(module), tuple(output.shape[1:]), params, macs))

    blocks: list[Row] = []
    for name, module in model.named_modules():
        if getattr(module, "summary_block", False):
            handles.append(module.register_forward_hook(
                lambda m, a, o, name=name: blocks.append(
                    Row(name, type(m).__name__, "block", tuple(o.shape[1:]), 0, 0))))
        if name and not any(True for _ in module.children()):
            handles.append(module.register_forward_hook(lambda m, a, o, name=name: post(m, a, o, name)))
    training = model.training
    model.eval()  # batch norm on one example: use running statistics, as at inference
    try:
        with entered_layers(model) as log:
            try:
                with torch.no_grad():
                    y = functional_call(model, meta_params(model), (x,))
            except RuntimeError as error:
                raise explain(error, log, input_shape) from None
    finally:
        model.train(training)
        for h in handles:
            h.remove()
    return Summary(
        input_shape=input_shape,
        output_shape=tuple(y.shape[1:]),
        rows=rows,
        total_params=sum(p.numel() for p in model.parameters()),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        total_macs=sum(r.macs for r in rows),
        blocks=blocks,
    )


__all__ = ["InputTooSmall", "Row", "Summary", "describe", "kind_of", "summary"]

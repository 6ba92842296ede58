"""Shapes without arithmetic: run a model on PyTorch's "meta" device (shapes only, no numbers),
and explain in plain words when an input is too small for an architecture."""

from __future__ import annotations

import copy
from contextlib import contextmanager
from itertools import chain
from typing import Iterator

import torch
from torch import nn
from torch.func import functional_call

from explorer.models.layers import describe


class InputTooSmall(ValueError):
    """The input shrank to nothing (or below a kernel's size) somewhere inside the model."""


def hw(input_size) -> tuple[int, int]:
    """(H, W) from an int, an (H, W) pair or a (C, H, W) triple."""
    if isinstance(input_size, int):
        return input_size, input_size
    size = tuple(int(s) for s in input_size)
    if len(size) not in (2, 3):
        raise ValueError(f"input_size must be a side, (H, W) or (C, H, W); got {input_size!r}")
    return size[-2], size[-1]


def meta_params(model: nn.Module) -> dict[str, torch.Tensor]:
    """Every parameter and buffer as a shape-only tensor (costs no memory, no time)."""
    named = chain(model.named_parameters(), model.named_buffers())
    return {name: torch.empty_like(t, device="meta") for name, t in named}


HOOKS = ("_forward_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
         "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_backward_hooks", "_backward_pre_hooks")


def shape_copy(model: nn.Module) -> nn.Module:
    """A twin of `model` with shape-only (meta) parameters and buffers and no hooks.

    Tracing shapes puts hooks on a module and swaps its parameters for a moment; the Inspect
    pages share one loaded model between every session of the server, so tracing the shared
    module itself let one session see another's meta tensors (and left it broken). The twin
    is private to the call; copying costs no tensor memory.
    """
    memo = {}
    for t in chain(model.parameters(), model.buffers()):
        meta = torch.empty_like(t, device="meta")
        memo[id(t)] = nn.Parameter(meta, requires_grad=t.requires_grad) if isinstance(t, nn.Parameter) else meta
    for attempt in range(5):
        try:
            twin = copy.deepcopy(model, dict(memo))
            break
        except RuntimeError:  # another thread added or removed a hook while we copied: again
            if attempt == 4:
                raise
    for module in twin.modules():
        for name in HOOKS:
            getattr(module, name, {}).clear()
    return twin


@contextmanager
def entered_layers(model: nn.Module) -> Iterator[list]:
    """Records (name, module, input shape) of every leaf module as it is entered; hooks are
    always removed."""
    log: list = []
    handles = []
    for name, module in model.named_modules():
        if name and not any(True for _ in module.children()):
            def pre(mod, args, name=name):
                shape = tuple(args[0].shape) if args and hasattr(args[0], "shape") else None
                log.append((name, mod, shape))
            handles.append(module.register_forward_pre_hook(pre))
    try:
        yield log
    finally:
        for h in handles:
            h.remove()


def explain(error: Exception, log: list, input_shape: tuple[int, ...]) -> InputTooSmall:
    """A student-readable message naming the layer where the picture became too small."""
    shape_text = "x".join(str(s) for s in input_shape)
    if not log:
        return InputTooSmall(f"The model cannot take a {shape_text} input: {error}")
    name, module, shape = log[-1]
    where = f"layer {name} ({describe(module)})"
    got = "x".join(str(s) for s in shape[1:]) if shape else "?"
    text = str(error)
    if isinstance(module, nn.Linear) or "mat1 and mat2" in text:
        return InputTooSmall(
            f"With a {shape_text} input, {where} receives {got} values but was built for "
            f"{getattr(module, 'in_features', '?')}: build the model for this input size.")
    detail = ""
    if shape and len(shape) == 4:
        detail = f" The picture is only {shape[2]}x{shape[3]} pixels when it reaches {where}"
        kernel = getattr(module, "kernel_size", None)
        if kernel is not None:
            k = kernel if isinstance(kernel, tuple) else (kernel, kernel)
            pad = getattr(module, "padding", 0)
            padded = any(pad) if isinstance(pad, tuple) else bool(pad)
            detail += f", smaller than its {k[0]}x{k[1]} window{' even with padding' if padded else ''}"
        detail += ", so that layer would output nothing."
    else:
        detail = f" It fails at {where}."
    return InputTooSmall(
        f"A {shape_text} input is too small for this architecture: every convolution without "
        f"padding and every pooling shrinks the picture.{detail} Choose a larger input size.")


def output_shape(model: nn.Module, input_shape) -> tuple[int, ...]:
    """Shape of one example's output (no batch axis) for an input of shape (C, H, W).

    Raises InputTooSmall when a layer would produce an empty picture.
    """
    input_shape = tuple(int(s) for s in input_shape)
    x = torch.empty((1, *input_shape), device="meta")
    model = shape_copy(model)
    with entered_layers(model) as log:
        try:
            with torch.no_grad():
                y = functional_call(model, meta_params(model), (x,))
        except RuntimeError as error:
            raise explain(error, log, input_shape) from None
    return tuple(y.shape[1:])


def flat_features(features: nn.Module, in_channels: int, input_size) -> int:
    """How many numbers `features` hands to the classifier for one (in_channels, H, W) input."""
    h, w = hw(input_size)
    shape = output_shape(features, (in_channels, h, w))
    n = 1
    for s in shape:
        n *= s
    return n

"""Looking inside a model: its layers, filters, feature maps and maximally activating images.

Activations are read with forward hooks registered inside the `capture` context manager, which
removes them in a `finally` whatever happens (an exception, an early stop), so a model never
keeps a hook after a page run. Models may be wrapped in explorer.inspect.pixel_model.PixelModel; layer
names are those of the network inside (the names the summary shows).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from explorer.inspect.pixel_model import UNSHARED, inner
from explorer.models.summary import summary

MAP_KINDS = ("conv", "activation", "pool")


@dataclass(frozen=True)
class Layer:
    name: str  # qualified module name in the network, e.g. "5"
    title: str  # "Conv2d 3x3 pad 1, 32 filters"
    kind: str  # conv, activation, pool, ...
    shape: tuple[int, ...]  # output of one example: (C, H, W)


def layers(model: nn.Module, input_size, kinds=MAP_KINDS) -> list[Layer]:
    """The layers with spatial (C, H, W) outputs of the given kinds, in forward order."""
    rows = summary(inner(model), input_size)
    return [Layer(r.name, r.layer, r.kind, r.output_shape) for r in rows
            if r.kind in kinds and len(r.output_shape) == 3]


def module(model: nn.Module, name: str) -> nn.Module:
    return inner(model).get_submodule(name)


class _Enough(Exception):
    """Raised by a hook once every wanted layer has been seen: the rest of the net is skipped."""


@contextmanager
def capture(model: nn.Module, names: list[str], stop_early: bool = False) -> Iterator[dict]:
    """Inside the block, each forward pass stores the output of the named layers in the yielded
    dict (detached tensors). With stop_early, the pass stops after the last of them (wrap the
    call in `run_until`). The hooks are always removed on exit."""
    store: dict[str, torch.Tensor] = {}
    wanted = set(names)

    def hook(name):
        def fn(mod, args, out):
            store[name] = out.detach()
            if stop_early and wanted <= store.keys():
                raise _Enough
        return fn

    handles = [module(model, n).register_forward_hook(hook(n)) for n in names]
    try:
        yield store
    finally:
        for h in handles:
            h.remove()


def run_until(model: nn.Module, x: torch.Tensor) -> None:
    """model(x), ending quietly when a stop_early capture has all it needs."""
    try:
        model(x)
    except _Enough:
        pass


@torch.inference_mode()
def feature_maps(model: nn.Module, x: torch.Tensor, names: list[str]) -> dict[str, np.ndarray]:
    """{layer name: (C, h, w) float32} for one picture x (1, C, H, W)."""
    with capture(model, names, stop_early=True) as store:
        run_until(model, x)
    return {n: store[n][0].float().cpu().numpy() for n in names}


# ---- filters --------------------------------------------------------------------------------

def conv_layers(model: nn.Module) -> list[tuple[str, nn.Conv2d]]:
    """(name, module) of every 2-D convolution, in registration order."""
    return [(n, m) for n, m in inner(model).named_modules() if isinstance(m, nn.Conv2d)]


def filters(model: nn.Module, name: str) -> np.ndarray:
    """The kernels of a convolution: (out_channels, in_channels / groups, kh, kw) float32."""
    return module(model, name).weight.detach().float().cpu().numpy()


def kernel_tiles(weights: np.ndarray, in_channel: int | None = None) -> np.ndarray:
    """(out, in, kh, kw) -> (out, kh, kw) pictures to tile: for one input channel, its slice;
    for a first layer on RGB with in_channel None, the kernels' sum over channels."""
    return weights[:, in_channel] if in_channel is not None else weights.sum(axis=1)


# ---- receptive fields -----------------------------------------------------------------------

@dataclass(frozen=True)
class Geometry:
    """Output index i of a layer sees input pixels i * jump + start ... + size - 1 (per axis)."""

    jump: tuple[int, int] = (1, 1)
    start: tuple[int, int] = (0, 0)
    size: tuple[int, int] = (1, 1)
    whole: bool = False  # a global pooling came before: every position sees the whole picture

    def box(self, row: int, col: int, height: int, width: int) -> tuple[int, int, int, int]:
        """(r0, r1, c0, c1) inclusive input pixels, clipped to the picture."""
        if self.whole:
            return 0, height - 1, 0, width - 1
        r0, c0 = row * self.jump[0] + self.start[0], col * self.jump[1] + self.start[1]
        r1, c1 = r0 + self.size[0] - 1, c0 + self.size[1] - 1
        return max(r0, 0), min(r1, height - 1), max(c0, 0), min(c1, width - 1)


def _pair(v) -> tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))


def _window(mod: nn.Module) -> tuple | None:
    """(kernel, stride, padding, dilation) pairs of a sliding-window layer, else None."""
    if not hasattr(mod, "kernel_size"):
        return None
    k = _pair(mod.kernel_size)
    d = _pair(getattr(mod, "dilation", 1) or 1)
    s = _pair(getattr(mod, "stride", None) or k)
    p = getattr(mod, "padding", 0)
    if p == "same":
        p = tuple(di * (ki - 1) // 2 for ki, di in zip(k, d))
    elif p == "valid":
        p = 0
    return k, s, _pair(p), d


def geometry(model: nn.Module, input_size, name: str) -> Geometry:
    """The receptive field of layer `name`'s outputs, composed over the sliding windows
    (convolutions and poolings) that run before it along the forward path."""
    net = inner(model)
    g = Geometry()
    for row in summary(net, input_size):
        mod = net.get_submodule(row.name)
        if isinstance(mod, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
            g = Geometry(whole=True)
        win = _window(mod)
        if win is not None and not g.whole:
            k, s, p, d = win
            g = Geometry(tuple(j * si for j, si in zip(g.jump, s)),
                         tuple(st - pi * j for st, pi, j in zip(g.start, p, g.jump)),
                         tuple(sz + (di * (ki - 1)) * j for sz, ki, di, j in zip(g.size, k, d, g.jump)))
        if row.name == name:
            return g
    raise KeyError(f"no layer named {name!r}")


# ---- maximal activations --------------------------------------------------------------------

@dataclass(frozen=True)
class TopK:
    """For each channel of a layer, the k dataset images whose strongest position is highest."""

    layer: str
    values: np.ndarray  # (C, k) float32, descending: activation at the strongest position
    indices: np.ndarray  # (C, k) int64 dataset indices
    positions: np.ndarray  # (C, k, 2) int64 (row, col) in the feature map
    boxes: np.ndarray  # (C, k, 4) int64 (r0, r1, c0, c1) receptive field in input pixels


# Pictures per forward pass of the top-k search. FastNet over Sign Language Digits, four layers:
# batches of 512 held +141-147 MB at the search's peak and took 0.75-0.93 s, batches of 64 held
# +36 MB and took 0.39-0.51 s (bench/README.md, "What a server held and did not need"). The
# search runs when the first student of a class opens Maximal activations, with the class arriving.
TOP_K_BATCH = 64


@torch.inference_mode()
def top_activations(model: nn.Module, images: np.ndarray, input_size, name: str, k: int = 9,
                    batch: int = TOP_K_BATCH, lock: AbstractContextManager = UNSHARED) -> TopK:
    """One batched pass over `images` (N, C, H, W) in the model's input space, stopping each
    forward pass at layer `name`; keeps a running top-k of every channel's spatial maximum.
    `batch`: the most pictures per pass a memory bound allows; never more than TOP_K_BATCH.
    `lock`: held per batch, the capture's hook on the model only then (pixel_model.UNSHARED)."""
    n = len(images)
    batch = max(1, min(batch, TOP_K_BATCH))
    k = max(1, min(k, n))
    best_v = best_i = best_p = None
    for lo in range(0, n, batch):
        x = torch.from_numpy(np.array(images[lo:lo + batch], np.float32))  # a copy: datasets are read-only
        with lock, capture(model, [name], stop_early=True) as store:
            run_until(model, x)
        act = store[name]
        flat = act.flatten(2) if act.dim() == 4 else act[..., None]  # (B, C, h*w)
        vals, pos = flat.max(dim=2)  # (B, C)
        idx = torch.arange(lo, lo + len(act)).unsqueeze(1).expand_as(vals)
        vals, pos, idx = vals.T, pos.T, idx.T  # (C, B)
        if best_v is not None:
            vals, pos, idx = (torch.cat(p, 1) for p in ((best_v, vals), (best_p, pos), (best_i, idx)))
        keep = vals.topk(min(k, vals.shape[1]), dim=1)
        best_v, best_p, best_i = keep.values, pos.gather(1, keep.indices), idx.gather(1, keep.indices)
    width = act.shape[-1] if act.dim() == 4 else 1
    rows, cols = (best_p // width).numpy(), (best_p % width).numpy()
    geo = geometry(model, input_size, name)
    h, w = int(input_size[1]), int(input_size[2])
    boxes = np.array([[geo.box(r, c, h, w) for r, c in zip(rr, cc)] for rr, cc in zip(rows, cols)],
                     dtype=np.int64).reshape(*rows.shape, 4)
    return TopK(name, best_v.float().numpy(), best_i.numpy().astype(np.int64),
                np.stack([rows, cols], axis=-1).astype(np.int64), boxes)

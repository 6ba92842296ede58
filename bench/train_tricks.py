"""Fast-training tricks from CIFAR-10 speed runs (airbench, hlb-CIFAR10) tried on FastNet for
issue 21 (bench/README.md, "Training, round 4"); none made the default, so they live here and
`bench_train_variants` applies them around the app's own loop (explorer.train.training.train):

- `whiten`: the first convolution starts from the principal directions of the pictures' k x k
  patches (eigenvectors of their covariance), each with its negative, instead of random filters;
  still trained.
- `dirac`: every later 3x3 convolution starts as the identity on its first inputs.
- `no_affine`: batch-norm without its learned scale.
- `Average`: an exponential moving average of the weights (and batch-norm statistics) over the
  last epoch, swapped in at the end.
- `tta_accuracy`: test accuracy with logits averaged over shifted (and mirrored) pictures.
- `moved_at_half`: the training batches' shifts and turns sampled straight at the size FastNet's
  first layer (a 2x2 average pool) gives, one bilinear sample per pooled pixel, instead of at
  64x64 and then pooled (round 18): a quarter of the sampling, the same pictures when nothing
  moves.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from explorer.saved.model_card import Normalisation
from explorer.train import augment, batches, training


class _Captured(Exception):
    pass


@torch.no_grad()
def conv_input(model: nn.Module, conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """What `conv` receives when `model` is fed x (N, C, H, W): runs the model up to it."""
    seen: list[torch.Tensor] = []

    def grab(_module, args):
        seen.append(args[0])
        raise _Captured

    handle = conv.register_forward_pre_hook(grab)
    was_training = model.training
    model.eval()
    try:
        model(x)
    except _Captured:
        pass
    finally:
        handle.remove()
        model.train(was_training)
    return seen[0].float().contiguous()


def patch_directions(x: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(variances (D,), directions (D, C, k, k)) of the k x k patches of x (N, C, H, W), the
    strongest first; D = C * k * k."""
    patches = F.unfold(x, k).transpose(1, 2).reshape(-1, x.shape[1] * k * k).double()
    patches = patches - patches.mean(0)
    cov = patches.T @ patches / max(len(patches) - 1, 1)
    values, vectors = torch.linalg.eigh(cov)  # ascending
    order = torch.argsort(values, descending=True)
    return values[order].float(), vectors[:, order].T.reshape(-1, x.shape[1], k, k).float()


@torch.no_grad()
def whiten(model: nn.Module, x: torch.Tensor, sample: int = 512) -> None:
    """Set the first conv's weights (O, C, k, k) to the patch directions of `sample` pictures
    spread over x (normalised, as training feeds them) as they reach it: direction 1, -1, 2, -2,
    ... until O filters (fewer directions than O/2: the rest keep their random start). Each keeps
    the length the default initialisation gave a filter on average, so Adam's steps stay the same
    size relative to the weights."""
    conv = training.first_conv(model)
    k = conv.kernel_size[0]
    _, directions = patch_directions(conv_input(model, conv, x[:: max(1, len(x) // sample)]), k)
    half = directions[: (conv.out_channels + 1) // 2]
    pairs = torch.stack([half, -half], 1).reshape(-1, *half.shape[1:])[: conv.out_channels]
    length = conv.weight.flatten(1).norm(dim=1).mean()
    conv.weight[: len(pairs)] = (pairs * length).to(conv.weight.dtype)


def training_inputs(train_ds, cfg: training.TrainConfig) -> torch.Tensor:
    """The normalised pictures training.train fits on (its validation share held out)."""
    fit, _ = training.carve_validation(train_ds, cfg.validation, cfg.seed)
    return Normalisation.of(fit.images).apply(fit.images)


@torch.no_grad()
def dirac(model: nn.Module) -> None:
    """Every 3x3 convolution after the first starts as the identity on its first inputs."""
    for conv in [m for m in model.modules() if isinstance(m, nn.Conv2d)][1:]:
        nn.init.dirac_(conv.weight[: min(conv.in_channels, conv.out_channels)])


def no_affine(model: nn.Module) -> None:
    """Batch-norm without a learned scale (the shift stays)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight = None


class Average:
    """An exponential moving average (`decay` per step) of a model's float parameters and
    buffers, updated by the optimizer's step() from step `start` on (0-based count)."""

    def __init__(self, model: nn.Module, decay: float, start: int):
        self.live = [t for t in (*model.parameters(), *model.buffers()) if t.is_floating_point()]
        self.shadow: list[torch.Tensor] | None = None
        self.weight, self.start, self.steps = 1 - decay, start, 0

    @torch.no_grad()
    def update(self) -> None:
        self.steps += 1
        if self.steps > self.start:
            if self.shadow is None:
                self.shadow = [t.detach().clone() for t in self.live]
            torch._foreach_lerp_(self.shadow, self.live, self.weight)

    @torch.no_grad()
    def load_into(self, model: nn.Module) -> None:
        """Copy the average into `model` (the same architecture, e.g. Finished.model)."""
        live = [t for t in (*model.parameters(), *model.buffers()) if t.is_floating_point()]
        torch._foreach_copy_(live, self.shadow)


def averaging(average: Average):
    """A stand-in for training._optimizer_and_schedule whose optimizer also updates `average`."""
    make = training._optimizer_and_schedule

    def optimizer_and_schedule(model, cfg, total_steps):
        opt, sched = make(model, cfg, total_steps)
        step = opt.step

        def step_and_average():
            step()
            average.update()
        opt.step = step_and_average
        return opt, sched
    return optimizer_and_schedule


@torch.inference_mode()
def accuracy(model: nn.Module, norm, test_ds, shift: int = 0, flip: bool = False) -> float:
    """Test accuracy with logits averaged over the picture, its shifts by `shift` pixels (up,
    down, left, right; the border repeated) and, with flip, the mirror images of all of them."""
    x = norm.apply(test_ds.images)
    views = [x]
    if shift:
        pad = F.pad(x, (shift,) * 4, mode="replicate")
        h, w = x.shape[-2:]
        views += [pad[..., shift + dy:shift + dy + h, shift + dx:shift + dx + w]
                  for dy, dx in ((-shift, 0), (shift, 0), (0, -shift), (0, shift))]
    if flip:
        views += [v.flip(-1) for v in views]
    model.eval()
    logits = sum(torch.cat([model(v[i:i + 64]) for i in range(0, len(v), 64)]) for v in views)
    return float(np.mean(logits.argmax(1).numpy() == test_ds.labels))


def moved_at_half(x: torch.Tensor, y: torch.Tensor, order: torch.Tensor, steps: int, batch: int,
                  moves, generator: torch.Generator, pool=None, chunk: int | None = None
                  ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """batches.prepared with the same arguments, the same random numbers and the same order,
    but an augmented FastNet batch sampled straight at half size (N, C, H/2, W/2) where prepared
    samples at (H, W) and pools; anything else is handed to prepared. Bench only: patch it in
    with `batches.prepared = moved_at_half` (bench_train_variants' "moved_at_half")."""
    n, c, h, w = x.shape
    if pool is not batches.pool_2x2 or moves is None or not augment.active(*moves) or h % 2 or w % 2:
        yield from _PREPARED(x, y, order, steps, batch, moves, generator, pool, chunk)
        return
    size = batch if len(order) >= batch else len(order)
    chunk = chunk or batches.CHUNK
    for first in range(0, steps, chunk):
        k = min(chunk, steps - first)
        idx = order[first * size:(first + k) * size]
        xc, yc = x[idx], y[idx]
        rand = torch.cat([augment.draw(size, generator) for _ in range(k)]) * 2 - 1
        angle, shift = rand[:, 0] * math.radians(moves[1]), rand[:, 1:] * 2 * moves[0]
        grid = augment.affine_grid(angle, shift, torch.Size((len(xc), c, h // 2, w // 2)))
        xc = F.grid_sample(xc, grid, mode="bilinear", padding_mode="border", align_corners=False)
        for j in range(k):
            yield xc[j * size:(j + 1) * size], yc[j * size:(j + 1) * size]


_PREPARED = batches.prepared

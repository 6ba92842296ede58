"""The training loop's batches, prepared a few at a time (issue 21).

Every tensor operation has a fixed cost besides its work (a few microseconds, more when it is
split over threads), and a batch's augmentation is about 15 of them. So the loop gathers,
augments and (for FastNet) average-pools CHUNK batches at once and hands them out one by one.
Every picture's result depends only on the picture and its own random numbers, which are still
drawn one batch at a time in the same order: the batches, and so the weights, are bit for bit
those of preparing each batch alone (tests/test_batches.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch
from torch import nn

from explorer.train import augment

# Batches prepared together. 4 batches of 32 64x64 pictures hold ~9 MB while they are made (the
# gathered pictures 2 MB, the sampling grid 4 MB, the moved pictures 2 MB) where one batch held
# ~2 MB; 8 were no faster and 16 slower (bigger temporaries than the caches, more page faults).
# bench/README.md, "Training, round 7", has the times and the peak memory.
CHUNK = 4

Pool = Callable[[torch.Tensor], torch.Tensor]


def leading_pool(model: nn.Module) -> Pool | None:
    """FastNet's first layer when the loop may apply it apart from the model: the
    parameter-free average pool that starts a plain nn.Sequential (as pool_2x2 when it is
    the plain 2x2 one), else None.

    Not when hooks would see the difference: the pool's own hooks would fire once per chunk,
    the whole model's never, as the loop then calls the layers after the pool (model[1:]).
    """
    if type(model) is not nn.Sequential or len(model) < 2 or not isinstance(model[0], nn.AvgPool2d):
        return None
    if any(m._forward_hooks or m._forward_pre_hooks for m in (model, model[0])):
        return None
    pool = model[0]
    plain = (pool.kernel_size in (2, (2, 2)) and pool.stride in (2, (2, 2)) and pool.padding in (0, (0, 0))
             and not pool.ceil_mode and pool.divisor_override is None)
    return pool_2x2 if plain else pool


@torch.no_grad()
def pool_2x2(x: torch.Tensor) -> torch.Tensor:
    """F.avg_pool2d(x, 2) bit for bit, (N, C, H, W) -> (N, C, H // 2, W // 2) in the same memory
    layout: the four corners added in the kernel's order, then divided by 4 (exact), as four
    strided additions, ~3x faster than avg_pool2d's kernel on one-channel pictures at 1 thread
    (61 vs 205 us for 32 64x64 pictures). A window of four -0.0 gives -0.0 where avg_pool2d
    gives +0.0: equal values, and the next convolution's sums drop the sign.
    """
    x = x[..., :x.shape[-2] // 2 * 2, :x.shape[-1] // 2 * 2]  # avg_pool2d drops an odd last row/column
    return (((x[..., 0::2, 0::2] + x[..., 0::2, 1::2]) + x[..., 1::2, 0::2]) + x[..., 1::2, 1::2]) * 0.25


def prepared(x: torch.Tensor, y: torch.Tensor, order: torch.Tensor, steps: int, batch: int,
             moves: tuple[float, float] | None, generator: torch.Generator, pool: Pool | None = None,
             chunk: int | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch's `steps` batches (xb, yb): x (N, C, H, W) and y (N,) in `order`, `batch` at a
    time (all of `order` when it is shorter than one batch), augmented with `moves` =
    (max_shift, max_degrees) unless None, then pooled by `pool` unless None.

    Lazy: a chunk is made when its first batch is asked for, so a loop that stops part-way
    leaves the rest unmade (it only drew their random numbers early, from a generator nothing
    else reads within the epoch).
    """
    size = batch if len(order) >= batch else len(order)
    chunk = chunk or CHUNK
    augmenting = moves is not None and augment.active(*moves)
    for first in range(0, steps, chunk):
        k = min(chunk, steps - first)
        idx = order[first * size:(first + k) * size]
        xc, yc = x[idx], y[idx]
        if augmenting:
            rand = torch.cat([augment.draw(size, generator) for _ in range(k)])
            xc = augment.moved(xc, rand, *moves)
        if pool is not None:
            with torch.no_grad():  # nothing before the pool has weights to train
                xc = pool(xc)
        for j in range(k):
            yield xc[j * size:(j + 1) * size], yc[j * size:(j + 1) * size]

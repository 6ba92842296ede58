"""Augmentation: the same images as PyTorch's own affine_grid + grid_sample, within bounds."""

import math

import torch
import torch.nn.functional as F

from explorer.train import augment


def reference(x, max_shift, max_degrees, seed):
    """The plain PyTorch way, with the same random draws as random_affine."""
    rand = torch.rand(x.shape[0], 3, generator=torch.Generator().manual_seed(seed)) * 2 - 1
    a = rand[:, 0] * math.radians(max_degrees)
    theta = torch.stack([torch.stack([a.cos(), -a.sin(), rand[:, 1] * 2 * max_shift], 1),
                         torch.stack([a.sin(), a.cos(), rand[:, 2] * 2 * max_shift], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def test_same_pictures_as_pytorch_affine_grid():
    x = torch.rand(16, 3, 40, 56)
    ours = augment.random_affine(x, 0.1, 10, torch.Generator().manual_seed(3))
    assert torch.allclose(ours, reference(x, 0.1, 10, 3), atol=1e-5)


def test_a_dot_moves_no_further_than_the_shift_and_rotation_allow():
    x = torch.zeros(200, 1, 64, 64)
    x[:, :, 40, 44] = 1.0  # a dot away from the centre
    out = augment.random_affine(x, 0.1, 10, torch.Generator().manual_seed(0))
    ys, xs = torch.meshgrid(torch.arange(64.0), torch.arange(64.0), indexing="ij")
    mass = out[:, 0].sum((1, 2))
    cy, cx = (out[:, 0] * ys).sum((1, 2)) / mass, (out[:, 0] * xs).sum((1, 2)) / mass
    dist = torch.hypot(cy - 40, cx - 44)
    radius = math.hypot(40 - 31.5, 44 - 31.5)
    limit = math.hypot(6.4, 6.4) + 2 * radius * math.sin(math.radians(5)) + 1
    assert dist.max() <= limit
    assert dist.max() > 3  # it does move them


def test_no_augmentation_returns_the_batch_unchanged():
    x = torch.rand(4, 1, 8, 8)
    assert augment.random_affine(x, 0, 0) is x

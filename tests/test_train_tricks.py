"""bench/train_tricks.py: the round-4 training variants measure what they say they do."""

from __future__ import annotations

import numpy as np
import torch

from bench import train_tricks
from explorer import models
from explorer.train import training


def _net():
    torch.manual_seed(0)
    return models.build("fastnet", in_channels=1, num_classes=10, input_size=[64, 64])


def test_patch_directions_are_the_patch_covariances_eigenvectors():
    x = torch.rand(6, 1, 16, 16)
    x[:, :, :, ::2] += 1.0  # stripes: one direction clearly strongest
    values, directions = train_tricks.patch_directions(x, 3)
    patches = np.stack([x[n, 0, i:i + 3, j:j + 3].numpy().ravel()
                        for n in range(6) for i in range(14) for j in range(14)])
    expected = np.sort(np.linalg.eigvalsh(np.cov(patches.T)))[::-1]
    np.testing.assert_allclose(values.numpy(), expected, rtol=1e-4, atol=1e-6)
    flat = directions.reshape(9, 9).double()
    np.testing.assert_allclose((flat @ flat.T).numpy(), np.eye(9), atol=1e-5)


def test_whiten_sets_the_first_conv_to_signed_pairs_of_what_the_conv_sees():
    net = _net()
    conv = training.first_conv(net)
    x = torch.randn(16, 1, 64, 64)
    length = float(conv.weight.detach().flatten(1).norm(dim=1).mean())
    train_tricks.whiten(net, x)
    w = conv.weight.detach().flatten(1)  # (16, 9)
    torch.testing.assert_close(w[0::2], -w[1::2])
    torch.testing.assert_close(w.norm(dim=1), torch.full((16,), length), rtol=1e-4, atol=1e-6)
    # FastNet halves the picture before its first conv: the directions are those of the halved one.
    _, directions = train_tricks.patch_directions(torch.nn.functional.avg_pool2d(x, 2), 3)
    cos = (w[0::2] / w[0::2].norm(dim=1, keepdim=True)) @ directions[:8].flatten(1).T
    torch.testing.assert_close(cos.abs(), torch.eye(8), atol=1e-4, rtol=0)


def test_average_keeps_the_mean_of_the_steps_after_its_start():
    net = torch.nn.Linear(2, 1, bias=False)
    average = train_tricks.Average(net, decay=0.5, start=1)
    for value in (1.0, 2.0, 4.0):
        with torch.no_grad():
            net.weight.fill_(value)
        average.update()
    average.load_into(net)
    assert net.weight.flatten().tolist() == [3.0, 3.0]  # from 2 (step 2), halfway to 4

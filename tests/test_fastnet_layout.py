"""FastNet's variants that bench_train_variants reruns (issue 21): each builds a working network,
and without them FastNet keeps the layer order every saved FastNet has."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from explorer import models


def kinds(model: nn.Module) -> list[type]:
    return [type(m) for m in model.children()]


def test_the_default_keeps_the_saved_layer_order():
    net = models.build("fastnet", in_channels=1, input_size=[64, 64])
    assert kinds(net)[:5] == [nn.AvgPool2d, nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d]


def test_pool_first_pools_before_batch_norm():
    net = models.build("fastnet", in_channels=1, input_size=[64, 64], pool_first=True)
    assert kinds(net)[:5] == [nn.AvgPool2d, nn.Conv2d, nn.MaxPool2d, nn.BatchNorm2d, nn.ReLU]


@pytest.mark.parametrize("options", [{"stem": "unshuffle"}, {"stem": "patch4"}, {"stem": "stride2"},
                                     {"widths": [16, 24, 48, 96]}, {"stem": "patch4", "widths": [32, 32, 64, 128]}])
def test_each_variant_classifies_64x64_pictures(options):
    net = models.build("fastnet", in_channels=1, input_size=[64, 64], pool_first=True, **options).eval()
    assert net(torch.rand(3, 1, 64, 64)).shape == (3, 10)
    last_conv = [m for m in net.modules() if isinstance(m, nn.Conv2d)][-1]
    assert last_conv.out_channels == (options.get("widths") or [128])[-1]

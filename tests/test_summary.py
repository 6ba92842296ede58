"""summary(): output shapes, parameters and MACs per layer, checked by hand."""

from __future__ import annotations

import torch
from torch import nn

from explorer import models
from explorer.models.summary import Summary


def test_hand_computed_small_network():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, stride=2), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 7 * 7, 5))
    s = models.summary(model, (3, 32, 32))
    assert isinstance(s, Summary)
    shapes = [r.output_shape for r in s]
    assert shapes == [(8, 32, 32), (8, 32, 32), (8, 16, 16), (16, 7, 7), (16, 7, 7), (784,), (5,)]
    assert [r.params for r in s] == [3 * 8 * 9 + 8, 0, 0, 8 * 16 * 9 + 16, 0, 0, 784 * 5 + 5]
    # MACs: output positions x (kernel area x input channels) per output channel.
    assert [r.macs for r in s] == [32 * 32 * 8 * 27, 0, 0, 7 * 7 * 16 * 72, 0, 0, 784 * 5]
    assert s.total_macs == 32 * 32 * 8 * 27 + 7 * 7 * 16 * 72 + 784 * 5
    assert s.total_params == s.trainable_params == sum(p.numel() for p in model.parameters())
    assert s.output_shape == (5,)
    assert s.table()["Output shape"][0] == "8 x 32 x 32"


def test_inception_3a_costs_128_million_macs_as_in_the_paper():
    s = models.summary(models.build("inception3a"), (192, 28, 28))
    weights = 192 * 64 + 192 * 96 + 96 * 128 * 9 + 192 * 16 + 16 * 32 * 25 + 192 * 32
    assert s.total_macs == weights * 28 * 28 == 128_049_152
    assert s.output_shape == (256, 28, 28)


def test_lenet5_counts_only_connected_c3_products():
    s = models.summary(models.build("lenet5"), (1, 32, 32))
    c3 = next(r for r in s if "PartialConv2d" in r.layer)
    assert c3.output_shape == (16, 10, 10) and c3.params == 1516
    assert c3.macs == 60 * 25 * 10 * 10  # the 1,500 connected weights at each of 100 positions
    assert s.total_macs == 28 * 28 * 6 * 25 + 150_000 + 120 * 400 + 120 * 84 + 84 * 10


def test_macs_agree_with_torchs_flop_counter_on_a_real_forward():
    """The meta-device count equals torch's FlopCounterMode on real numbers (FLOPs = 2 MACs)."""
    from torch.utils.flop_counter import FlopCounterMode

    model = models.build("resnet18", num_classes=10).eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.rand(1, 3, 64, 64))
    assert models.summary(model, (3, 64, 64)).total_macs * 2 == counter.get_total_flops()


def test_vgg16_at_224_is_15_5_giga_macs_and_leaves_the_model_untouched():
    with torch.device("meta"):
        model = models.build("vgg16")
    model.train()
    s = models.summary(model, (3, 224, 224))
    assert round(s.total_macs / 1e9, 1) == 15.5  # the commonly quoted 15.5 GMACs
    assert s.rows[-1].output_shape == (1000,)
    assert model.training  # mode restored
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_resnet_rows_follow_the_blocks():
    with torch.device("meta"):
        model = models.build("resnet18")
    s = models.summary(model, (3, 224, 224))
    names = [r.name for r in s]
    assert names[:4] == ["conv1", "bn1", "relu", "maxpool"]
    assert "layer2.0.downsample.0" in names and names[-1] == "fc"
    assert next(r for r in s if r.name == "layer4.1.relu2").output_shape == (512, 7, 7)
    assert round(s.total_macs / 1e9, 2) == 1.81  # torchvision's quoted 1.81 GFLOPS (MACs)


def test_every_architecture_counts_as_torchs_flop_counter():
    """Counted from shapes, the MACs of every catalog network equal torch's FlopCounterMode
    (FLOPs = 2 MACs); LeNet-5's partly connected C3 counts only its connections (test above)."""
    from torch.utils.flop_counter import FlopCounterMode

    for name in models.names():
        if name == "lenet5":
            continue
        shape = models.info(name).input_size
        with torch.device("meta"):
            model = models.build(name).eval()
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model(torch.empty((1, *shape), device="meta"))
        assert models.summary(model, shape).total_macs * 2 == counter.get_total_flops(), name



def test_fastnets_unused_dropout_reads_as_off():
    """FastNet keeps a Dropout of p=0 (a saved spec may set p); its row must not read as a layer that
    drops anything."""
    rows = {r.layer for r in models.summary(models.build("fastnet"), (1, 64, 64))}
    assert "Dropout p=0 (off: passes its input through)" in rows
    with_p = {r.layer for r in models.summary(models.build("fastnet", dropout=0.1), (1, 64, 64))}
    assert "Dropout p=0.1" in with_p

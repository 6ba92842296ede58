"""The course's own networks, counted independently of the code that builds them.

Each expected count is computed here from the layer list the course (or the paper it quotes)
prints, with the Keras formulas: a convolution has (k*k*c_in/groups + 1) * filters parameters,
a dense layer (n_in + 1) * units; a 'valid' 3x3 convolution takes 2 off the side, a 2x2 max
pooling halves it (floor), as Keras does.
"""

from __future__ import annotations

import torch
from torch import nn

from explorer import models
from explorer.train import recipes


def conv_params(k: int, c_in: int, filters: int, groups: int = 1) -> int:
    return (k * k * c_in // groups + 1) * filters


def dense_params(n_in: int, units: int) -> int:
    return (n_in + 1) * units


def keras_count(layers: list[tuple], side: int, channels: int) -> int:
    """Parameters of a Keras Sequential model given as (kind, value) tuples."""
    total, flat = 0, None
    for kind, value in layers:
        if kind == "conv":  # Conv2D(value, (3, 3)), padding='valid'
            total += conv_params(3, channels, value)
            side, channels = side - 2, value
        elif kind == "pool":  # MaxPooling2D((2, 2))
            side //= 2
        elif kind == "flatten":
            flat = side * side * channels
        elif kind == "dense":
            total += dense_params(flat, value)
            flat = value
    return total


# The course's section 2.4 Keras model, typed from the course text (dropout has no weights).
COURSE_KERAS = [("conv", 32), ("conv", 64), ("pool", 2), ("conv", 128), ("pool", 2),
                ("conv", 128), ("pool", 2), ("flatten", None), ("dense", 1024), ("dense", 10)]


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_course_cnn_has_the_keras_models_parameter_count():
    expected = keras_count(COURSE_KERAS, 64, 1)
    assert n_params(models.build("course_cnn")) == expected


def test_course_cnn_layer_sizes_follow_the_course():
    s = models.summary(models.build("course_cnn"), (1, 64, 64))
    convs = [r for r in s if r.kind == "conv"]
    assert [r.output_shape for r in convs] == [(32, 62, 62), (64, 60, 60), (128, 28, 28), (128, 12, 12)]
    dense = [r for r in s if r.kind == "dense"]
    assert [r.output_shape for r in dense] == [(1024,), (10,)]
    assert all(isinstance(m, nn.ReLU) for m in models.build("course_cnn")[1:4:2])


def test_compact_cnn_keeps_the_old_smaller_net_under_its_own_name():
    m = models.build("compact_cnn")
    assert n_params(m) < n_params(models.build("course_cnn")) / 10
    assert "Not the course's" in models.info("compact_cnn").description
    assert "compact_cnn" in models.names(trainable_only=True)


def test_course_schedule_is_the_default_for_course_cnn():
    s = recipes.default_schedule("course_cnn")
    assert (s["optimizer"], s["lr"], s["batch_size"], s["epochs"]) == ("adam", 0.001, 128, 10)
    assert s["schedule"] == "constant" and not s["augment"]


def test_cli_trains_course_cnn_with_the_course_schedule():
    from explorer.train import cli

    config = cli.config_for(cli.parse(["--model", "course_cnn"]))
    assert (config.optimizer, config.lr, config.batch_size, config.epochs) == ("adam", 0.001, 128, 10)


# AlexNet as the paper's section 3 and figure 2 describe it: (kernel, c_in, filters, groups).
ALEXNET_CONVS = [(11, 3, 96, 1), (5, 96, 256, 2), (3, 256, 384, 1), (3, 384, 384, 2), (3, 384, 256, 2)]


def test_alexnet_is_the_papers_two_gpu_network():
    side = 227
    side = (side - 11) // 4 + 1  # conv1, no padding: 55
    assert side == 55
    for _ in range(3):  # overlapping 3x3/2 poolings after conv1, conv2, conv5 ('same' convs between)
        side = (side - 3) // 2 + 1
    expected = sum(conv_params(*c) for c in ALEXNET_CONVS)
    expected += dense_params(side * side * 256, 4096) + dense_params(4096, 4096) + dense_params(4096, 1000)
    m = models.build("alexnet")
    assert n_params(m) == expected
    convs = [x for x in m.modules() if isinstance(x, nn.Conv2d)]
    assert [(c.kernel_size[0], c.in_channels, c.out_channels, c.groups) for c in convs] == ALEXNET_CONVS
    assert convs[0].stride == (4, 4)
    assert sum(isinstance(x, nn.LocalResponseNorm) for x in m.modules()) == 2
    pools = [x for x in m.modules() if isinstance(x, nn.MaxPool2d)]
    assert [(p.kernel_size, p.stride) for p in pools] == [(3, 2)] * 3
    assert m(torch.rand(1, 3, 227, 227)).shape == (1, 1000)
    assert models.info("alexnet").input_size == (3, 227, 227)


def test_torchvision_alexnet_stays_under_its_own_name():
    m = models.build("alexnet_torchvision")
    convs = [x.out_channels for x in m.modules() if isinstance(x, nn.Conv2d)]
    assert convs == [64, 192, 384, 256, 256]
    assert "torchvision" in models.info("alexnet_torchvision").description

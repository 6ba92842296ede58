"""The architecture zoo: published parameter counts, output shapes, the too-small message,
and the rules Captum relies on (each ReLU / pooling its own module, never inplace)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from explorer import models
from explorer.models.lenet import C3_TABLE, PartialConv2d

# torchvision's definitions (AlexNet, VGG, ResNet) at 1000 classes; the course's MLP; the
# paper's GoogLeNet table with biases and no auxiliary heads; LeNet-5 with a linear output.
PUBLISHED = {
    "alexnet_torchvision": 61_100_840, "vgg11": 132_863_336, "vgg16": 138_357_544, "vgg19": 143_667_240,
    "resnet18": 11_689_512, "resnet34": 21_797_672, "course_mlp": 2_365_450,
}


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def meta_build(name: str, **options) -> nn.Module:
    with torch.device("meta"):  # shapes only: VGG without allocating half a gigabyte
        return models.build(name, **options)


@pytest.mark.parametrize("name,count", PUBLISHED.items())
def test_parameter_counts_equal_published(name, count):
    assert n_params(meta_build(name)) == count


def test_lenet5_c3_uses_the_partial_table():
    c3 = models.build("lenet5")[4]
    assert isinstance(c3, PartialConv2d)
    assert n_params(c3) == 1516  # a full 16x6x5x5 convolution would have 2,416
    # 6 maps read 3 inputs, 9 read 4, one reads all 6: 60 kernels.
    assert sorted(len(t) for t in C3_TABLE) == [3] * 6 + [4] * 9 + [6]
    assert n_params(models.build("lenet5")) == 156 + 12 + 1516 + 32 + 48_120 + 10_164 + 850


def test_lenet5_c3_output_map_ignores_unconnected_inputs():
    """Changing S2 map 5 changes C3 map 0 (reads 0,1,2) not at all, map 3 (reads 3,4,5) yes."""
    torch.manual_seed(0)
    c3 = PartialConv2d(6, C3_TABLE)
    x = torch.rand(1, 6, 14, 14)
    y = x.clone()
    y[:, 5] += 1.0
    diff = (c3(x) - c3(y)).abs().amax(dim=(0, 2, 3))
    assert diff[0] == 0 and diff[1] == 0 and diff[3] > 0 and diff[15] > 0


def test_inception_3a_counts_and_shape():
    m = models.build("inception3a")
    # 1x1: 192*64; 3x3 branch: 192*96 + 96*128*9; 5x5 branch: 192*16 + 16*32*25; pool: 192*32
    weights = 192 * 64 + 192 * 96 + 96 * 128 * 9 + 192 * 16 + 16 * 32 * 25 + 192 * 32
    biases = 64 + 96 + 128 + 16 + 32 + 32
    assert n_params(m) == weights + biases == 163_696
    assert m(torch.rand(1, 192, 28, 28)).shape == (1, 256, 28, 28)


def test_googlenet_head_is_global_average_pooling():
    small, large = models.summary(meta_build("googlenet"), (3, 224, 224)), \
        models.summary(meta_build("googlenet"), (3, 320, 320))
    assert small.total_params == large.total_params  # GAP: the head ignores the picture size
    gap = [r for r in small if "global average" in r.layer]
    assert gap and gap[0].output_shape == (1024, 1, 1)
    assert small.rows[-1].params == 1024 * 1000 + 1000


def test_dense_head_grows_with_the_input_but_resnet_does_not():
    assert n_params(meta_build("vgg16", input_size=256)) > PUBLISHED["vgg16"]
    assert n_params(meta_build("resnet18")) == PUBLISHED["resnet18"]
    assert models.summary(meta_build("resnet18"), (3, 64, 64)).output_shape == (1000,)


@pytest.mark.parametrize("name", ["course_cnn", "compact_cnn", "lenet5", "tinyvgg", "course_mlp"])
def test_trainable_models_take_sign_digits(name):
    assert name in models.names(trainable_only=True)
    m = models.build(name, in_channels=1, num_classes=10, input_size=(64, 64))
    out = m(torch.rand(4, 1, 64, 64))
    assert out.shape == (4, 10)
    out.sum().backward()  # gradients reach every parameter
    assert all(p.grad is not None for p in m.parameters())


def test_course_cnn_has_four_convolutions_and_three_dropouts():
    m = models.build("course_cnn")
    assert sum(isinstance(x, nn.Conv2d) for x in m.modules()) == 4
    assert [x.p for x in m.modules() if isinstance(x, nn.Dropout)] == [0.25, 0.25, 0.5]


def test_tinyvgg_shapes_match_cnn_explainer():
    s = models.summary(models.build("tinyvgg"), (3, 64, 64))
    sides = [r.output_shape[1] for r in s if r.kind in ("conv", "pool")]
    assert sides == [62, 60, 30, 28, 26, 13]
    assert s.total_params == 280 + 910 * 3 + 13 * 13 * 10 * 10 + 10


@pytest.mark.parametrize("name", models.names())
def test_every_model_uses_each_relu_and_pool_once_and_never_inplace(name):
    model = meta_build(name)
    counts: dict[int, int] = {}
    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    hooks = [m.register_forward_hook(lambda mod, a, o: counts.__setitem__(id(mod), counts.get(id(mod), 0) + 1))
             for m in leaves]
    with torch.no_grad():  # summary traces a private copy, so run the forward pass here
        model(torch.empty((1, *models.info(name).input_size), device="meta"))
    for h in hooks:
        h.remove()
    # Every leaf (each activation and pooling included) runs exactly once per forward pass.
    assert len(counts) == len(leaves) and set(counts.values()) == {1}
    assert not any(getattr(m, "inplace", False) for m in model.modules())


@pytest.mark.parametrize("name,size,layer", [
    ("vgg16", (3, 16, 16), "MaxPool2d 2x2"),
    ("lenet5", (1, 12, 12), "PartialConv2d 5x5"),
    ("tinyvgg", (3, 12, 12), "Conv2d 3x3"),
    ("alexnet", (3, 40, 40), "MaxPool2d 3x3"),
])
def test_too_small_input_is_explained(name, size, layer):
    with pytest.raises(models.InputTooSmall) as info:
        meta_build(name, in_channels=size[0], input_size=size[1:])
    text = str(info.value)
    assert isinstance(info.value, ValueError)
    assert f"{size[1]}x{size[2]}" in text and layer in text and "too small" in text
    assert "Traceback" not in text and "Calculated" not in text  # not torch's own words


def test_summary_on_a_model_built_for_another_size_says_so():
    with pytest.raises(models.InputTooSmall, match="build the model for this input size"):
        models.summary(models.build("course_cnn"), (1, 32, 32))


def test_unknown_architecture_lists_the_choices():
    with pytest.raises(KeyError, match="lenet5"):
        models.build("lenet6")


@pytest.mark.parametrize("name", models.names())
def test_summary_rows_account_for_every_parameter(name):
    s = models.summary(meta_build(name), models.info(name).input_size)
    assert sum(r.params for r in s) == s.total_params == n_params(meta_build(name))


@pytest.mark.parametrize("name,side", [("lenet5", 32), ("vgg16", 32), ("tinyvgg", 16), ("course_cnn", 24),
                                       ("compact_cnn", 16)])
def test_smallest_side(name, side):
    from explorer.models import sizes

    channels = models.info(name).input_size[0]
    assert sizes.smallest_side(name, channels) == side
    assert sizes.fits(name, channels, side) and not sizes.fits(name, channels, side - 1)

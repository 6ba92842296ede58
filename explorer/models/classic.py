"""AlexNet as its paper (and the course) describes it, torchvision's one-GPU AlexNet, and VGG
as torchvision defines it (same layers, same parameter counts), except that the classifier is
sized for the chosen input instead of an adaptive pooling to 6x6 / 7x7: at the design size the
two are identical, at other sizes you see the first dense layer grow or shrink.
"""

from __future__ import annotations

from torch import nn

from explorer.models.catalog import register
from explorer.models.shapes import flat_features


def _classifier(n_in: int, num_classes: int, dropout: float = 0.5) -> list[nn.Module]:
    """The 4096-4096 head AlexNet and VGG share, each ReLU and dropout its own module."""
    return [
        nn.Flatten(),
        nn.Dropout(dropout), nn.Linear(n_in, 4096), nn.ReLU(),
        nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, num_classes),
    ]


# Krizhevsky, Sutskever & Hinton (2012), section 3.5: local response normalisation with
# k = 2, n = 5, alpha = 1e-4, beta = 0.75 after the ReLU of conv1 and conv2.
LRN = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)


@register("alexnet", title="AlexNet (2012, the paper's two-GPU network)", input_size=(3, 227, 227),
          description="The network of Krizhevsky et al. as the course describes it: 96 kernels "
                      "of 11x11x3 with stride 4 on 227x227 crops, then 256, 384, 384 and 256 "
                      "kernels; conv2, conv4 and conv5 are split in two groups (each half sees "
                      "only the maps on its own GPU: groups=2); local response normalisation "
                      "after conv1 and conv2; overlapping 3x3 max pooling with stride 2 after "
                      "conv1, conv2 and conv5; dense layers of 4096, 4096 and 1000.")
def alexnet(in_channels: int = 3, num_classes: int = 1000, input_size=(227, 227),
            dropout: float = 0.5) -> nn.Module:
    """(N, C, H, W) -> (N, num_classes); 227 -> 55 -> 27 -> 13 -> 6."""
    features = nn.Sequential(
        nn.Conv2d(in_channels, 96, 11, stride=4), nn.ReLU(), nn.LocalResponseNorm(**LRN),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), nn.LocalResponseNorm(**LRN),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),  # conv3 reads both GPUs' maps
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
    )
    n = flat_features(features, in_channels, input_size)
    return nn.Sequential(*features, *_classifier(n, num_classes, dropout))


@register("alexnet_torchvision", title="AlexNet, torchvision's one-GPU variant", input_size=(3, 224, 224),
          description="What torchvision calls AlexNet: the one-GPU version from Krizhevsky's 2014 "
                      "follow-up, with 64-192-384-256-256 kernels, no grouping and no response "
                      "normalisation, on 224x224 input with padding 2 in the first layer.")
def alexnet_torchvision(in_channels: int = 3, num_classes: int = 1000, input_size=(224, 224),
                        dropout: float = 0.5) -> nn.Module:
    """(N, C, H, W) -> (N, num_classes); 224 -> 55 -> 27 -> 13 -> 6."""
    features = nn.Sequential(
        nn.Conv2d(in_channels, 64, 11, stride=4, padding=2), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
    )
    n = flat_features(features, in_channels, input_size)
    return nn.Sequential(*features, *_classifier(n, num_classes, dropout))


# Channels of each 3x3 'same' convolution; "M" is a 2x2 max pooling (Simonyan & Zisserman,
# table 1: configurations A, D and E).
VGG_CONFIGS = {
    11: (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    16: (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
    19: (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
         512, 512, 512, 512, "M"),
}


def vgg(depth: int, in_channels: int = 3, num_classes: int = 1000, input_size=(224, 224),
        dropout: float = 0.5) -> nn.Module:
    """(N, C, H, W) -> (N, num_classes); five poolings: 224 -> 7."""
    layers: list[nn.Module] = []
    c = in_channels
    for item in VGG_CONFIGS[depth]:
        if item == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(c, item, 3, padding=1), nn.ReLU()]
            c = item
    features = nn.Sequential(*layers)
    n = flat_features(features, in_channels, input_size)
    return nn.Sequential(*features, *_classifier(n, num_classes, dropout))


_VGG_TEXT = ("Only 3x3 convolutions (padding 1) in five blocks, each ending in a 2x2 max "
             "pooling, channels doubling 64 -> 512; then two dense layers of 4096.")


@register("vgg11", title="VGG-11 (2014)", input_size=(3, 224, 224), description=_VGG_TEXT)
def vgg11(**options) -> nn.Module:
    return vgg(11, **options)


@register("vgg16", title="VGG-16 (2014)", input_size=(3, 224, 224), description=_VGG_TEXT)
def vgg16(**options) -> nn.Module:
    return vgg(16, **options)


@register("vgg19", title="VGG-19 (2014)", input_size=(3, 224, 224), description=_VGG_TEXT)
def vgg19(**options) -> nn.Module:
    return vgg(19, **options)

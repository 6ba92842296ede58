"""AlexNet and VGG as torchvision defines them (same layers, same parameter counts), except
that the classifier is sized for the chosen input instead of an adaptive pooling to 6x6 / 7x7:
at 224x224 the two are identical, at other sizes you see the first dense layer grow or shrink.
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


@register("alexnet", title="AlexNet (2012)", input_size=(3, 224, 224),
          description="Five convolutions (the first 11x11 with stride 4) and three max "
                      "poolings, then two dense layers of 4096: 61.1 million parameters, "
                      "more than half of them in the first dense layer.")
def alexnet(in_channels: int = 3, num_classes: int = 1000, input_size=(224, 224),
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

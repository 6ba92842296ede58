"""The course's own networks and CNN Explainer's TinyVGG, sized for 64x64 pictures.

Every ReLU, pooling and dropout is its own module, used once (Captum needs that).
"""

from __future__ import annotations

from torch import nn

from explorer.models.catalog import register
from explorer.models.shapes import flat_features, hw


@register("course_mlp", title="Course fully connected net (4096-512-512-10)",
          input_size=(1, 64, 64), trainable=True,
          description="The course's first network: every pixel feeds every one of 512 "
                      "neurons, twice, then 10 outputs. 2,365,450 parameters for 64x64 "
                      "grayscale, most of them in the first layer.")
def course_mlp(in_channels: int = 1, num_classes: int = 10, input_size=(64, 64),
               hidden: int = 512, dropout: float = 0.2) -> nn.Module:
    """(N, C, H, W) -> (N, num_classes): flatten, two hidden layers of `hidden` with dropout."""
    h, w = hw(input_size)
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(in_channels * h * w, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, num_classes),
    )


def _conv_block(c_in: int, c_out: int) -> list[nn.Module]:
    """3x3 'same' convolution, ReLU, 2x2 max pooling: halves height and width."""
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]


# The course's hand-sign CNN (section 2.4), layer by layer as its Keras code lists them:
# ("conv", filters) is a 3x3 'valid' convolution + ReLU, ("pool", 2) a 2x2 max pooling,
# ("dropout", p). Kept as data so tests and pages can recount it independently.
COURSE_CNN_LAYERS: tuple[tuple[str, float], ...] = (
    ("conv", 32), ("conv", 64), ("pool", 2), ("dropout", 0.25),
    ("conv", 128), ("pool", 2),
    ("conv", 128), ("pool", 2), ("dropout", 0.25),
)
COURSE_CNN_DENSE, COURSE_CNN_DENSE_DROPOUT = 1024, 0.5


@register("course_cnn", title="Course CNN (the course's hand-sign network)", input_size=(1, 64, 64),
          trainable=True,
          description="The course's convolutional network for the 64x64 Sign Language Digits, "
                      "as its Keras code builds it: 3x3 'valid' convolutions of 32 and 64 "
                      "filters, 2x2 max pooling, dropout 0.25, a convolution of 128 and 2x2 "
                      "pooling, another of 128 and 2x2 pooling, dropout 0.25, then a dense layer "
                      "of 1024 with dropout 0.5 and 10 outputs; ReLU after every convolution.")
def course_cnn(in_channels: int = 1, num_classes: int = 10, input_size=(64, 64)) -> nn.Module:
    """(N, C, H, W) -> (N, num_classes). At 64x64: 62, 60, 30, 28, 14, 12, 6 -> 6x6x128 = 4,608."""
    layers: list[nn.Module] = []
    c_in = in_channels
    for kind, value in COURSE_CNN_LAYERS:
        if kind == "conv":
            layers += [nn.Conv2d(c_in, int(value), 3), nn.ReLU()]  # Keras's default: no padding
            c_in = int(value)
        elif kind == "pool":
            layers.append(nn.MaxPool2d(int(value)))
        else:
            layers.append(nn.Dropout(value))
    features = nn.Sequential(*layers)
    n = flat_features(features, in_channels, input_size)
    return nn.Sequential(
        *features,
        nn.Flatten(),
        nn.Linear(n, COURSE_CNN_DENSE), nn.ReLU(), nn.Dropout(COURSE_CNN_DENSE_DROPOUT),
        nn.Linear(COURSE_CNN_DENSE, num_classes),
    )


@register("compact_cnn", title="Compact CNN (the app's, 4 'same' blocks)", input_size=(1, 64, 64),
          trainable=True,
          description="Not the course's network: the app's smaller variant with four blocks of "
                      "3x3 'same' convolution, ReLU and 2x2 max pooling (32-64-64-128 channels), "
                      "then a dense layer of 128 with dropout; it trains faster on a CPU.")
def compact_cnn(in_channels: int = 1, num_classes: int = 10, input_size=(64, 64),
                channels: tuple[int, ...] = (32, 64, 64, 128), hidden: int = 128,
                dropout: float = 0.5) -> nn.Module:
    """(N, C, H, W) -> (N, num_classes). Each block halves the picture: 64 -> 32 -> 16 -> 8 -> 4."""
    layers: list[nn.Module] = []
    c_in = in_channels
    for c_out in channels:
        layers += _conv_block(c_in, c_out)
        c_in = c_out
    features = nn.Sequential(*layers)
    n = flat_features(features, in_channels, input_size)
    return nn.Sequential(
        *features,
        nn.Flatten(),
        nn.Linear(n, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, num_classes),
    )


@register("tinyvgg", title="TinyVGG (CNN Explainer)", input_size=(3, 64, 64), trainable=True,
          description="The network CNN Explainer draws: two blocks of two 3x3 convolutions "
                      "with 10 channels (no padding) and a 2x2 max pooling, then one linear "
                      "layer. At 64x64: 64 -> 62 -> 60 -> 30 -> 28 -> 26 -> 13.")
def tinyvgg(in_channels: int = 3, num_classes: int = 10, input_size=(64, 64),
            channels: int = 10) -> nn.Module:
    """(N, C, H, W) -> (N, num_classes)."""
    features = nn.Sequential(
        nn.Conv2d(in_channels, channels, 3), nn.ReLU(),
        nn.Conv2d(channels, channels, 3), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(channels, channels, 3), nn.ReLU(),
        nn.Conv2d(channels, channels, 3), nn.ReLU(),
        nn.MaxPool2d(2),
    )
    n = flat_features(features, in_channels, input_size)
    return nn.Sequential(*features, nn.Flatten(), nn.Linear(n, num_classes))

"""ResNet-18 and ResNet-34 (He et al. 2015) with basic blocks and ResNet-152 with bottleneck
blocks, as torchvision defines them."""

from __future__ import annotations

import torch
from torch import nn

from explorer.models.catalog import register


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm, plus the input added back (the shortcut).

    When the block halves the picture or changes the channel count, the shortcut is a 1x1
    convolution with the same stride so the two can be added. (N, c_in, H, W) ->
    (N, c_out, H/stride, W/stride).
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(c_out))
        self.relu2 = nn.ReLU()  # its own module: Captum needs each ReLU used once

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(out + shortcut)


class Bottleneck(nn.Module):
    """1x1 (reduce to width), 3x3 (stride here), 1x1 (expand to 4 x width), batch norm after
    each, plus the shortcut. (N, c_in, H, W) -> (N, 4 * width, H/stride, W/stride)."""

    expansion = 4

    def __init__(self, c_in: int, width: int, stride: int = 1):
        super().__init__()
        c_out = width * self.expansion
        self.conv1 = nn.Conv2d(c_in, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv2d(width, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(c_out))
        self.relu3 = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.relu2(self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x))))))
        return self.relu3(self.bn3(self.conv3(out)) + shortcut)


class ResNet(nn.Module):
    """Stem (7x7/2 convolution, 3x3/2 max pooling), four stages of basic blocks (64, 128,
    256, 512 channels, the last three start with stride 2), global average pooling, one
    linear layer. (N, C, H, W) -> (N, num_classes) for any H, W of at least 33."""

    def __init__(self, blocks: tuple[int, int, int, int], in_channels: int = 3,
                 num_classes: int = 1000, block: type = BasicBlock):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        stages, c_in = [], 64
        expansion = getattr(block, "expansion", 1)
        for i, (n, width) in enumerate(zip(blocks, (64, 128, 256, 512))):
            stride = 1 if i == 0 else 2
            c_out = width * expansion
            stage = [block(c_in, width, stride)] + [block(c_out, width) for _ in range(n - 1)]
            stages.append(nn.Sequential(*stage))
            c_in = c_out
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(512 * expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.flatten(self.avgpool(x)))


_TEXT = ("A 7x7 stem, then stages of basic blocks whose shortcut adds each block's input to "
         "its output, so very deep networks still train. Global average pooling makes the "
         "head the same size for any input.")


@register("resnet18", title="ResNet-18 (2015)", input_size=(3, 224, 224), description=_TEXT)
def resnet18(in_channels: int = 3, num_classes: int = 1000, input_size=None) -> nn.Module:
    """input_size is accepted for a uniform call and ignored: the head never depends on it."""
    return ResNet((2, 2, 2, 2), in_channels, num_classes)


@register("resnet34", title="ResNet-34 (2015)", input_size=(3, 224, 224), description=_TEXT)
def resnet34(in_channels: int = 3, num_classes: int = 1000, input_size=None) -> nn.Module:
    """input_size is accepted for a uniform call and ignored: the head never depends on it."""
    return ResNet((3, 4, 6, 3), in_channels, num_classes)


@register("resnet152", title="ResNet-152 (2015)", input_size=(3, 224, 224),
          description="The deepest network the course quotes: a 7x7 stem, then 3, 8, 36 and 3 "
                      "bottleneck blocks (1x1 reduce, 3x3, 1x1 expand, plus the shortcut), "
                      "global average pooling and one dense layer.")
def resnet152(in_channels: int = 3, num_classes: int = 1000, input_size=None) -> nn.Module:
    """input_size is accepted for a uniform call and ignored: the head never depends on it."""
    return ResNet((3, 8, 36, 3), in_channels, num_classes, Bottleneck)

"""A saved model seen from pixel space: input (N, C, H, W) in [0, 1], normalised inside.

The Inspect pages attribute to pixels a student can see, so the normalisation the model was
trained with becomes the first step of the network (explanations, baselines and occlusion
values then live in the [0, 1] picture, where 0 is black).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from explorer.data import images
from explorer.saved.model_card import Normalisation
from explorer.train import device


class PixelModel(nn.Module):
    """(N, C, H, W) pixels in [0, 1] -> (N, K) logits of `net` after (x - mean) / std.

    The same (x - mean) / std as Normalisation.apply in training, kept as buffers so that the
    wrapper moves with the model between devices and Captum differentiates through it."""

    def __init__(self, net: nn.Module, norm: Normalisation):
        super().__init__()
        self.net = net
        mean, std = norm.tensors()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)


def wrap(net: nn.Module, norm: Normalisation) -> PixelModel:
    """The saved model `net` (eval mode) behind its training normalisation, its weights in the
    channels-last layout: oneDNN's small convolutions run about 1.6x faster on the CPU that way
    (occlusion and top-k are batches of forward passes; see bench/bench_attribution.py)."""
    return PixelModel(net, norm).to(memory_format=torch.channels_last).eval()


def inner(model: nn.Module) -> nn.Module:
    """The network itself (its module names are the ones the summary shows)."""
    return model.net if isinstance(model, PixelModel) else model


def prepare(img: Image.Image, input_size: tuple[int, int, int]) -> np.ndarray:
    """A photo exactly as the training pictures were made: float32 (C, H, W) in [0, 1] at the
    model's input size (explorer.data.images.to_array, Lanczos resize, grey or RGB)."""
    c, h, w = input_size
    return images.to_array(img, (h, w), channels=c)


def camera_square(width: int, height: int) -> tuple[int, int, int]:
    """(left, top, side) of the largest centred square of a width x height camera picture."""
    side = min(width, height)
    return (width - side) // 2, (height - side) // 2, side


def prepare_camera(img: Image.Image, input_size: tuple[int, int, int]) -> np.ndarray:
    """A camera picture (a webcam still or one frame of the live video) as the test pictures
    are: its centred square (the dataset's photos are square, so a 4:3 frame is not squashed),
    then `prepare`. float32 (C, H, W) in [0, 1]."""
    left, top, side = camera_square(*img.size)
    return prepare(img.crop((left, top, left + side, top + side)), input_size)


def batch(array: np.ndarray) -> torch.Tensor:
    """(C, H, W) -> (1, C, H, W) float32 tensor."""
    return torch.from_numpy(np.array(array, np.float32))[None]  # a copy: arrays may be read-only


# The `lock` of the passes over a whole split (ood.outputs, robustness.accuracy_curve,
# inspection.top_activations) is held around each batch, not the whole pass: the app shares one
# model between every session, and a student's single prediction then waits for one batch (tens
# of ms) instead of the whole split (the course CNN's OOD statistics: ~8 s).
UNSHARED: AbstractContextManager = nullcontext()  # the lock of a model no other thread uses


@torch.inference_mode()
def probabilities(model: nn.Module, arrays: np.ndarray, size: int = 512) -> np.ndarray:
    """(N, K) class probabilities for pictures (N, C, H, W) in [0, 1], on the CPU whichever
    device the model is on."""
    dev = device.of_model(model)
    # copies: the arrays may be read-only
    batches = (np.array(arrays[i:i + size], np.float32) for i in range(0, len(arrays), size))
    out = [F.softmax(model(torch.from_numpy(b).to(dev)), 1) for b in batches]
    return torch.cat(out).cpu().numpy()

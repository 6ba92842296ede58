"""The blocks every Inspect script starts with: a saved model rebuilt from its folder
(meta.json + weights.safetensors, no pickle) behind its training normalisation, and the picture
it looks at (a test picture of its split, or a photo brought to its input size).

The app shows everything in pixel space: the network sees (x - mean) / std with the training
pictures' mean and std (from meta.json), and that normalisation is the model's first step, as in
explorer/inspect/pixel_model.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.codegen import picture
from explorer.codegen.script import literal


@dataclass(frozen=True)
class SavedModel:
    """model_dir: the model's folder; network: nn.Sequential code of the saved net
    (explorer.codegen.architecture.module_code); the rest from its card."""

    model_dir: str
    network: str
    dataset: str
    input_size: tuple[int, int, int]
    test_size: float
    random_state: int | None


IMPORTS = """import copy
import json
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps
from safetensors.torch import load_file
from torch import nn"""


def load_block(m: SavedModel, randomised: bool = False) -> str:
    """Lines that set `net` (the saved network), `model` (pixels in [0, 1] -> logits) and
    `classes`, and define Probabilities (softmax of a model)."""
    random_block = """
# The sanity check's model: every layer re-initialised (PyTorch's default), seed 0.
torch.manual_seed(0)
for module in net.modules():
    if hasattr(module, "reset_parameters") and module is not net:
        module.reset_parameters()""" if randomised else ""
    return f"""# The model's folder in CNN Explorer's data/models/ (or where you unpacked it).
MODEL_DIR = Path({literal(m.model_dir)})
card = json.loads((MODEL_DIR / "meta.json").read_text())
net = {m.network}
net.load_state_dict(load_file(str(MODEL_DIR / "weights.safetensors")))
net.eval(){random_block}


class Pixels(nn.Module):
    \"\"\"Pixels in [0, 1] -> logits, normalised inside with the training pictures' mean and std.\"\"\"

    def __init__(self, net, mean, std):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


class Probabilities(nn.Module):
    \"\"\"softmax(model(x)): occlusion measures the drop of the class probability.\"\"\"

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return F.softmax(self.model(x), dim=1)


# channels-last weights, as the app keeps them (oneDNN's faster layout on the CPU).
model = Pixels(net, card["normalisation"]["mean"], card["normalisation"]["std"]).to(memory_format=torch.channels_last).eval()
classes = card["classes"]"""


def dataset_block(m: SavedModel) -> str:
    """Lines that set `images` (N, C, H, W) and `labels` to the model's whole dataset."""
    return picture.dataset_block(m.dataset, "images", labels="labels")


CAMERA_CROP = """
# A camera picture: its centred square first (the dataset's photos are square).
side = min(img.size)
left, top = (img.size[0] - side) // 2, (img.size[1] - side) // 2
img = img.crop((left, top, left + side, top + side))"""


def picture_block(m: SavedModel, src: picture.Source) -> str:
    """Lines that set `pixels`, float32 (C, H, W) in [0, 1], to what the model sees."""
    c, h, w = m.input_size
    if src.kind == "upload":
        return picture.OPEN_PHOTO + (CAMERA_CROP if src.name == "camera" else "") + f"""
# Brought to the model's input exactly as the training pictures were: {"grey" if c == 1 else "RGB"}, {w}x{h} (Lanczos).
img = img.convert("{"L" if c == 1 else "RGB"}")
if img.size != ({w}, {h}):
    img = img.resize(({w}, {h}), Image.Resampling.LANCZOS)
arr = np.asarray(img, dtype=np.float32) / 255.0
pixels = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1).copy()"""
    return dataset_block(m) + f"""
from sklearn.model_selection import train_test_split

# The model's test pictures: the split it was trained with.
_, test_images, _, test_labels = train_test_split(images, labels, test_size={m.test_size}, random_state={m.random_state})
pixels = test_images[{src.index}]  # test picture #{src.index}"""


PREDICTION = """x = torch.from_numpy(np.array(pixels, np.float32))[None]
with torch.no_grad():
    probs = F.softmax(model(x), dim=1)[0]
print("prediction:", classes[int(probs.argmax())], "probabilities:", [round(float(p), 4) for p in probs])"""

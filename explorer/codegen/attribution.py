"""The Saliency and Occlusion pages as a script: the saved model rebuilt from its folder
(meta.json + weights.safetensors), the same picture, the same Captum calls.

The app shows attributions in pixel space: the network sees (x - mean) / std with the training
pictures' mean and std (from meta.json), and that normalisation is the first step of the model
Captum differentiates, exactly as explorer/inspect/pixel_model.py does. Each method's (1, C, H, W)
result becomes one (H, W) map: the sum over channels (the mean for occlusion), as on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.codegen import picture
from explorer.codegen.script import CELL, Script, join, literal

# The Captum call of each method, with the app's defaults (explorer/inspect/attribution.py);
# {p} is filled with the page's settings.
CALLS = {
    "saliency": "Saliency(model).attribute(x, target=target, abs=True)",
    "integrated_gradients": "IntegratedGradients(model).attribute(x, target=target, baselines=0.0, n_steps={n_steps})",
    "smoothgrad": ('NoiseTunnel(Saliency(model)).attribute(x, nt_type="smoothgrad", target=target, '
                   "nt_samples={nt_samples}, stdevs={stdevs}, abs=True)"),
    "guided_backprop": "GuidedBackprop(model).attribute(x, target=target)",
    "grad_cam": ('LayerAttribution.interpolate(LayerGradCam(model, layer).attribute(x, target=target, '
                 'relu_attributions=True), tuple(x.shape[-2:]), interpolate_mode="bilinear")'),
    "guided_grad_cam": 'GuidedGradCam(model, layer).attribute(x, target=target, interpolate_mode="nearest")',
    "occlusion": ("Occlusion(Probabilities(model)).attribute(x, sliding_window_shapes=(x.shape[1], {window}, {window}), "
                  "strides=(x.shape[1], {stride}, {stride}), baselines={baseline}, target=target)"),
}
DEFAULTS = {"n_steps": 50, "nt_samples": 20, "stdevs": 0.15, "window": 8, "stride": 4, "baseline": 0.0}
CAPTUM = {"saliency": "Saliency", "integrated_gradients": "IntegratedGradients", "smoothgrad": "NoiseTunnel",
          "guided_backprop": "GuidedBackprop", "grad_cam": "LayerAttribution, LayerGradCam",
          "guided_grad_cam": "GuidedGradCam", "occlusion": "Occlusion"}


@dataclass(frozen=True)
class AttributionSettings:
    """The model's folder and network code, the picture, the class and each method's settings.

    network: nn.Sequential code (explorer.codegen.architecture.module_code of the saved net);
    methods: (method, ((param, value), ...)) pairs in page order; layer: Grad-CAM's layer name."""

    model_dir: str
    network: str
    dataset: str
    input_size: tuple[int, int, int]
    test_size: float
    random_state: int | None
    source: picture.Source
    target: int
    target_name: str
    methods: tuple[tuple[str, tuple], ...]
    layer: str | None = None
    randomised: bool = False


def _picture(s: AttributionSettings) -> str:
    c, h, w = s.input_size
    if s.source.kind == "upload":
        return picture.OPEN_PHOTO + f"""
# Brought to the model's input exactly as the training pictures were: {"grey" if c == 1 else "RGB"}, {w}x{h} (Lanczos).
img = img.convert("{"L" if c == 1 else "RGB"}")
if img.size != ({w}, {h}):
    img = img.resize(({w}, {h}), Image.Resampling.LANCZOS)
arr = np.asarray(img, dtype=np.float32) / 255.0
pixels = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1).copy()"""
    return picture.dataset_block(s.dataset, "images", labels="labels") + f"""
from sklearn.model_selection import train_test_split

# The model's test pictures: the split it was trained with.
_, test_images, _, test_labels = train_test_split(images, labels, test_size={s.test_size}, random_state={s.random_state})
pixels = test_images[{s.source.index}]  # test picture #{s.source.index}, a {{test_labels[{s.source.index}]}}"""


def script(s: AttributionSettings) -> Script:
    used = [m for m, _ in s.methods]
    names = sorted({n for m in used for n in CAPTUM[m].split(", ")})
    calls = []
    for m, params in s.methods:
        values = {**DEFAULTS, **dict(params)}
        calls.append(f'    "{m}": {CALLS[m].format(**{k: literal(v) for k, v in values.items()})},')
    reduce_ = 'a[0].mean(0) if name == "occlusion" else a[0].sum(0)' if "occlusion" in used else "a[0].sum(0)"
    random_block = """
# The sanity check's model: every layer re-initialised (PyTorch's default), seed 0.
torch.manual_seed(0)
for module in net.modules():
    if hasattr(module, "reset_parameters") and module is not net:
        module.reset_parameters()""" if s.randomised else ""
    text = join(
        f'"""CNN Explorer, {"Occlusion" if used == ["occlusion"] else "Saliency"}: why the saved model '
        f'says "{s.target_name}", with Captum."""',
        CELL,
        f"""import json
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from captum.attr import {", ".join(names)}
from PIL import Image, ImageOps
from safetensors.torch import load_file
from torch import nn""",
        CELL + " The saved model: its card (meta.json) and weights (safetensors), no pickle",
        f"""# The model's folder in CNN Explorer's data/models/ (or where you unpacked it).
MODEL_DIR = Path({literal(s.model_dir)})
card = json.loads((MODEL_DIR / "meta.json").read_text())
net = {s.network}
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


model = Pixels(net, card["normalisation"]["mean"], card["normalisation"]["std"]).eval()
classes = card["classes"]""",
        CELL + " The picture: float32 (C, H, W) in [0, 1], as the model sees it",
        _picture(s),
        CELL + " The prediction",
        """x = torch.from_numpy(np.array(pixels, np.float32))[None]
with torch.no_grad():
    probs = F.softmax(model(x), dim=1)[0]
print("prediction:", classes[int(probs.argmax())], "probabilities:", [round(float(p), 4) for p in probs])""",
        CELL + " The explanations",
        f"""target = {s.target}  # the class explained: "{s.target_name}"
""" + (f'layer = net.get_submodule("{s.layer}")  # Grad-CAM\'s layer\n' if s.layer else "")
        + ("torch.manual_seed(0)  # SmoothGrad's noise is random: its map changes from run to run\n"
           if "smoothgrad" in used else "")
        + ("x.requires_grad_(True)\n" if used != ["occlusion"] else "")
        + f"""with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Captum's note about backward hooks on ReLU
    results = {{
{chr(10).join(calls)}
    }}
for name, a in results.items():
    m = ({reduce_}).detach()  # (H, W): one map per method
    print(f"{{name}}: shape {{tuple(m.shape)}} sum {{float(m.sum()):.6g}} max {{float(m.max()):.6g}}")""",
    )
    return Script("These explanations", text, "explanations")

"""The teacher's training script: one architecture, one schedule, the course's split, the same
loop as explorer/train/training.py (seeded the same way, so one machine gives the same run),
the trained weights saved as safetensors. Written by `python -m explorer.train --write-script`.
"""

from __future__ import annotations

from explorer.codegen import picture
from explorer.codegen.script import CELL, Script, join

OPTIMIZERS = {
    "adamw": "torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)",
    "adam": "torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)",
    "sgd": ("torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, nesterov=True, "
            "weight_decay=WEIGHT_DECAY)"),
}
SCHEDULES = {
    "one-cycle": "torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=EPOCHS * steps, pct_start=0.25)",
    "cosine": "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS * steps)",
    "constant": "torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)",
}
AUGMENT = '''def random_affine(x, max_shift, max_degrees, generator):
    """Shift each picture by up to max_shift of its size and rotate it by up to max_degrees
    (the border pixels repeat into the gap)."""
    n, _, h, w = x.shape
    rand = torch.rand(n, 3, generator=generator) * 2 - 1
    angle = rand[:, 0] * math.radians(max_degrees)
    shift = rand[:, 1:] * 2 * max_shift
    cos, sin = torch.cos(angle), torch.sin(angle)
    xs = ((torch.arange(w, dtype=x.dtype) * 2 + 1) / w - 1).view(1, 1, 1, w)  # pixel centres
    ys = ((torch.arange(h, dtype=x.dtype) * 2 + 1) / h - 1).view(1, 1, h, 1)
    col = torch.stack([cos, sin], 1).view(n, 2, 1, 1)
    row = torch.stack([-sin, cos], 1).view(n, 2, 1, 1)
    grid = ((ys * row + shift.view(n, 2, 1, 1)) + xs * col).permute(0, 2, 3, 1)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)'''


FORWARD = "        loss = F.cross_entropy(model(xb), yb, label_smoothing=LABEL_SMOOTHING)"
# Mixed precision as the app's default recipe trains: the forward pass in bfloat16 where that is
# faster (training.bf16_pays), the loss, gradients' sums and weights in float32.
BF16 = """
# bfloat16 for the forward pass where this CPU has AMX matrix units (elsewhere it is slower than float32).
BF16 = (torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
        and getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)())"""
FORWARD_BF16 = """        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16):
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb, label_smoothing=LABEL_SMOOTHING)"""


def script(network: str, title: str, dataset: str, test_size: float, random_state: int | None,
           config: dict, out_file: str = "model.safetensors") -> Script:
    """network: nn.Sequential code (codegen.architecture.module_code); config: TrainConfig's
    fields (epochs, batch_size, optimizer, lr, schedule, weight_decay, augment, max_shift,
    max_rotation, seed, label_smoothing)."""
    c = config
    augment = bool(c["augment"])
    text = join(
        f'"""Train {title} on {dataset}: {c["epochs"]} epochs, batch {c["batch_size"]}, {c["optimizer"]} '
        f'at {c["lr"]:g} ({c["schedule"]}), as CNN Explorer trains it."""',
        CELL,
        """import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps
from safetensors.torch import save_file
from sklearn.model_selection import train_test_split
from torch import nn""",
        CELL + " Settings",
        f"""EPOCHS = {c["epochs"]!r}
BATCH_SIZE = {c["batch_size"]!r}
LR = {c["lr"]!r}  # the peak learning rate for one-cycle
WEIGHT_DECAY = {c["weight_decay"]!r}
LABEL_SMOOTHING = {c.get("label_smoothing", 0.0)!r}
AUGMENT = {augment!r}
MAX_SHIFT, MAX_ROTATION = {c.get("max_shift", 0.1)!r}, {c.get("max_rotation", 10.0)!r}  # fraction of the size, degrees
SEED = {c["seed"]!r}
OUT = "{out_file}\"""" + (BF16 if c.get("bf16") else ""),
        CELL + " The pictures and the split",
        picture.dataset_block(dataset, "images", labels="labels"),
        f"""train_x, test_x, train_y, test_y = train_test_split(images, labels, test_size={test_size!r}, random_state={random_state!r})
# The app holds {c.get("validation", 0.1):.0%} of the training pictures out as a validation set: it picks the
# weights kept when a run is stopped early (a run that completes keeps its last weights).
n_val = math.ceil({c.get("validation", 0.1)!r} * len(train_x))
if n_val and len(train_x) - n_val >= 20:
    fit = np.sort(np.random.RandomState(SEED).permutation(len(train_x))[n_val:])
    train_x, train_y = train_x[fit], train_y[fit]
# Normalised with the training pictures' mean and std per channel (std at least 1e-3).
mean = torch.tensor(train_x.mean(axis=(0, 2, 3))).view(1, -1, 1, 1)
std = torch.tensor(np.maximum(train_x.std(axis=(0, 2, 3)), 1e-3)).view(1, -1, 1, 1)
x_train, x_test = (torch.from_numpy(train_x) - mean) / std, (torch.from_numpy(test_x) - mean) / std
y_train, y_test = torch.from_numpy(train_y).long(), torch.from_numpy(test_y).long()
print(f"{{len(x_train)}} training and {{len(x_test)}} test pictures of {{tuple(x_train.shape[1:])}}")""",
        CELL + " The network",
        f"""torch.manual_seed(SEED)  # the same seed gives the same initial weights
model = {network}
# oneDNN's faster layout for small convolutions on the CPU.
model = model.to(memory_format=torch.channels_last)
print(f"{{sum(p.numel() for p in model.parameters()):,}} parameters")""",
        (CELL + " Augmentation: small random shifts and rotations of each batch\n" + AUGMENT) if augment else "",
        CELL + " Training",
        f"""@torch.inference_mode()
def evaluate(model, x, y, batch=128):
    model.eval()
    loss, correct = 0.0, 0
    for i in range(0, len(x), batch):
        logits = model(x[i:i + batch])
        loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
        correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    return loss / len(x), correct / len(x)


torch.manual_seed(SEED)
generator = torch.Generator().manual_seed(SEED)
n = len(x_train)
steps = max(1, n // BATCH_SIZE) if n >= BATCH_SIZE else 1  # the ragged last batch is dropped
optimizer = {OPTIMIZERS[c["optimizer"]]}
scheduler = {SCHEDULES[c["schedule"]]}
start = time.perf_counter()
for epoch in range(1, EPOCHS + 1):
    model.train()
    order = torch.randperm(n, generator=generator)
    for step in range(steps):
        idx = order[step * BATCH_SIZE:(step + 1) * BATCH_SIZE] if n >= BATCH_SIZE else order
        xb, yb = x_train[idx], y_train[idx]
        if AUGMENT:
            xb = random_affine(xb, MAX_SHIFT, MAX_ROTATION, generator)
{FORWARD_BF16 if c.get("bf16") else FORWARD}
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    print(f"epoch {{epoch}}/{{EPOCHS}}  test loss {{test_loss:.3f}}  test {{test_accuracy:.1%}}  {{time.perf_counter() - start:.1f}} s")
print(f"test accuracy: {{test_accuracy:.4f}}")""",
        CELL + " Save the weights (safetensors: no pickle)",
        """save_file({k: v.contiguous() for k, v in model.state_dict().items()}, OUT)
print("saved", OUT)""",
    )
    return Script(f"Train {title}", text, "train")

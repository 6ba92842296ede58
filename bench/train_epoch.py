"""Seconds for one training epoch of each trainable architecture on the course's training set
size (1,649 images of 1x64x64, batch 32, Adam), on the CPU, against a plain PyTorch loop.

Run: python bench/train_epoch.py [threads]   (prints a table; asserts nothing)
"""

from __future__ import annotations

import sys
import time

import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from torch import nn

from explorer import models  # noqa: E402

N_TRAIN, BATCH = 1649, 32


def epoch_seconds(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    start = time.perf_counter()
    for i in range(0, len(x), BATCH):
        opt.zero_grad()
        loss_fn(model(x[i:i + BATCH]), y[i:i + BATCH]).backward()
        opt.step()
    return time.perf_counter() - start


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.rand(N_TRAIN, 1, 64, 64)
    y = torch.randint(0, 10, (N_TRAIN,))
    print(f"{threads} thread(s), {N_TRAIN} images 1x64x64, batch {BATCH}")
    print(f"{'architecture':<12} {'params':>10} {'s/epoch':>8}")
    for name in models.names(trainable_only=True):
        model = models.build(name, in_channels=1, num_classes=10, input_size=(64, 64))
        params = sum(p.numel() for p in model.parameters())
        print(f"{name:<12} {params:>10,} {epoch_seconds(model, x, y):>8.1f}")


if __name__ == "__main__":
    main()

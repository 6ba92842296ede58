"""How long the Architectures page's summary() takes (shapes, params, MACs on the meta
device) against one plain PyTorch forward pass of the same model on real numbers.

Run: python bench/summary_speed.py [threads]   (prints a table; asserts nothing)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer import models  # noqa: E402


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    print(f"{torch.get_num_threads()} thread(s); forward = one real image through the model")
    print(f"{'architecture':<12} {'summary ms':>10} {'forward ms':>10} {'ratio':>7}")
    for name in ("lenet5", "course_cnn", "alexnet", "alexnet_torchvision", "vgg16", "googlenet", "resnet18"):
        shape = models.info(name).input_size
        model = models.build(name).eval()
        x = torch.rand(1, *shape)
        t_summary = best_of(lambda: models.summary(model, shape))
        with torch.no_grad():
            t_forward = best_of(lambda: model(x))
        print(f"{name:<12} {t_summary * 1e3:>10.1f} {t_forward * 1e3:>10.1f} {t_summary / t_forward:>7.2f}")


if __name__ == "__main__":
    main()

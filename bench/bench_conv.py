"""Server compute of the Convolution page for a 512x512 RGB photo, kernels 1x1 to 11x11.

What the page does per change: the three per-channel maps (explorer.ops, numpy/scipy FFT),
their sum, ReLU, and the colour picture sent to the browser. Compared with the plain
PyTorch call (torch.nn.functional.conv2d, same threads). Target: <= 20 ms per change.

    OMP_NUM_THREADS=1 python -m bench.bench_conv [--repeat 9]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

from explorer import colormaps, images, kernels, ops, samples  # noqa: E402

TARGET_MS = 20.0


def photo() -> np.ndarray:
    """scikit-learn's flower photo as float32 (3, 512, 512) in [0, 1]."""
    return images.to_array(samples.load("flower").resize((512, 512), Image.Resampling.LANCZOS), channels=3)


def timed(fn, repeat: int) -> float:
    """Median milliseconds of repeat calls after one warm-up call."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def page_compute(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The page's work for one change: per-channel maps, sum, ReLU, colour picture."""
    bank = np.broadcast_to(kernel, (3, *kernel.shape)).astype(np.float32)
    maps = ops.conv2d_per_channel(x, bank, 1, kernel.shape[0] // 2)
    return colormaps.auto(ops.relu(maps.sum(axis=0)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    x = photo()
    xt = torch.from_numpy(x)[None]
    print(f"512x512 RGB photo, float32, median of {args.repeat} runs, torch threads = {torch.get_num_threads()}, "
          f"{os.cpu_count()} CPU cores")
    header = (f"{'kernel':>7} | {'ops.conv2d':>10} | {'page (maps+ReLU+colour)':>23} | "
              f"{'torch F.conv2d':>14} | {'ratio ops/torch':>15} | target")
    print(header)
    print("-" * len(header))
    for k in (1, 3, 5, 7, 9, 11):
        kernel = kernels.make("gaussian", k).astype(np.float32)
        bank = np.broadcast_to(kernel, (3, k, k)).astype(np.float32)
        wt = torch.from_numpy(bank.copy())[None]
        ours = timed(lambda: ops.conv2d(x, bank, 1, k // 2), args.repeat)
        page = timed(lambda: page_compute(x, kernel), args.repeat)
        ref = timed(lambda: F.conv2d(xt, wt, padding=k // 2), args.repeat)
        ok = "ok" if page <= TARGET_MS else "over"
        print(f"{k:>4}x{k:<2} | {ours:>7.1f} ms | {page:>20.1f} ms | {ref:>11.1f} ms | {ours / ref:>15.2f} | {ok}")


if __name__ == "__main__":
    main()

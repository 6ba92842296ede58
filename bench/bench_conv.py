"""Server compute of the Convolution page for a 512x512 RGB photo, kernels 1x1 to 11x11.

What the page does per change (the "result"): the output (explorer.learn.convolution, numpy/scipy FFT: one
convolution of the channels' sum), ReLU, and the two pictures sent to the browser, encoded
(input with the receptive field boxed, as JPEG; output map as palette PNG). With the "RGB:
three maps" view open it also computes the three per-channel maps and encodes four more
maps. Compared with the plain PyTorch call (torch.nn.functional.conv2d, same threads).
Target: <= 20 ms per change.

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

from explorer.data import images, samples
from explorer.learn import conv_pictures, convolution, geometry, kernels  # noqa: E402
from explorer.pictures import render

TARGET_MS = 20.0


def photo() -> np.ndarray:
    """scikit-learn's flower photo as float32 (3, 512, 512) in [0, 1]."""
    return images.to_array(samples.load("flower").resize((512, 512), Image.Resampling.LANCZOS), channels=3)


def timed(fn, repeat: int, cpu: bool = False) -> float:
    """Median milliseconds of repeat calls after one warm-up call: wall clock, or with cpu
    the thread's CPU time (steadier when other programs share the machine)."""
    clock = time.thread_time if cpu else time.perf_counter
    fn()
    runs = []
    for _ in range(repeat):
        t = clock()
        fn()
        runs.append((clock() - t) * 1000)
    return statistics.median(runs)


def page_compute(x: np.ndarray, shown: np.ndarray, kernel: np.ndarray) -> tuple[bytes, bytes]:
    """The page's work for one change: output, ReLU, input and output pictures encoded.
    shown: the picture as uint8 (H, W, 3), converted once per picture as the page caches it."""
    bank = np.broadcast_to(kernel, (3, *kernel.shape)).astype(np.float32)
    k = kernel.shape[0]
    out = convolution.relu(convolution.conv2d(x, bank, 1, k // 2))
    mid = out.shape[0] // 2, out.shape[1] // 2
    box = geometry.receptive_field(*mid, kernel.shape, 1, k // 2)
    return conv_pictures.input_picture(shown, (0, 0), box), conv_pictures.map_picture(out, mid)


def channels_view(x: np.ndarray, kernel: np.ndarray) -> list[bytes]:
    """The extra work with the "RGB: three maps" view open: three maps, their sum, 4 pictures."""
    bank = np.broadcast_to(kernel, (3, *kernel.shape)).astype(np.float32)
    maps = convolution.conv2d_per_channel(x, bank, 1, kernel.shape[0] // 2)
    return [conv_pictures.map_picture(m) for m in (*maps, maps.sum(axis=0))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    x = photo()
    shown = render.to_uint8(x)
    xt = torch.from_numpy(x)[None]
    print(f"512x512 RGB photo, float32, median of {args.repeat} runs, torch threads = {torch.get_num_threads()}, "
          f"{os.cpu_count()} CPU cores")
    header = (f"{'kernel':>7} | {'conv2d':>10} | {'torch F.conv2d':>14} | {'ratio ops/torch':>15} | "
              f"{'page change':>11} | target | {'(CPU time)':>10} | {'+ RGB view':>10}")
    print(header)
    print("-" * len(header))
    for k in (1, 3, 5, 7, 9, 11):
        kernel = kernels.make("gaussian", k).astype(np.float32)
        bank = np.broadcast_to(kernel, (3, k, k)).astype(np.float32)
        wt = torch.from_numpy(bank.copy())[None]
        ours = timed(lambda: convolution.conv2d(x, bank, 1, k // 2), args.repeat)
        ref = timed(lambda: F.conv2d(xt, wt, padding=k // 2), args.repeat)
        page = timed(lambda: page_compute(x, shown, kernel), args.repeat)
        page_cpu = timed(lambda: page_compute(x, shown, kernel), args.repeat, cpu=True)
        rgb = timed(lambda: channels_view(x, kernel), args.repeat)
        ok = "ok" if page <= TARGET_MS else "over"
        print(f"{k:>4}x{k:<2} | {ours:>7.1f} ms | {ref:>11.1f} ms | {ours / ref:>15.2f} | {page:>8.1f} ms | "
              f"{ok:>6} | {page_cpu:>7.1f} ms | {page + rgb:>7.1f} ms")


if __name__ == "__main__":
    main()

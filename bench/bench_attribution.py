"""Attribution and inspection speed for the default net at 64x64, against the bare calls.

    python -m bench.bench_attribution [--repeat 15] [--threads N] [--only occlusion|methods]

First the occlusion table (issue 21: an 8x8 window at strides 8 to 1, ours vs the plain Captum
call; --only occlusion stops there, about 1 minute at --repeat 6 on a quiet 2-core machine).
--only methods: only the next table.

For each method: the median time of explorer.inspect.attribution.attribute and of the same Captum call
written by hand, their ratio, and the issue's target. Then the top-k maximal activations over
the whole Sign Language Digits dataset (real archive via $CNN_EXPLORER_SIGN_DIGITS or
../shared/data; the bundled digits otherwise) against a plain PyTorch loop, and the memory and
hooks left after 100 repeated attributions.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from captum.attr import (
    GuidedBackprop,
    GuidedGradCam,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    NoiseTunnel,
    Occlusion,
    Saliency,
)

from bench.common import median, table, timed
from explorer import models
from explorer.data import datasets
from explorer.inspect import attribution, inspection, pixel_model
from explorer.saved.model_card import Normalisation
from explorer.train import device

TARGETS_MS = {"saliency": 10, "grad_cam": 10, "guided_backprop": 10, "integrated_gradients": 60,
              "occlusion": 80}


def default_net() -> torch.nn.Module:
    torch.manual_seed(0)
    net = models.build("fastnet", in_channels=1, num_classes=10, input_size=[64, 64]).eval()
    return pixel_model.wrap(net, Normalisation((0.5,), (0.25,))).requires_grad_(False)  # as the Inspect pages load it


def bare_call(model, x, target, method):
    """The Captum call a student would write, without our wrapper."""
    xg = x.detach().requires_grad_(True)
    conv = attribution.last_conv(model)
    if method == "saliency":
        return Saliency(model).attribute(xg, target=target)
    if method == "integrated_gradients":
        return IntegratedGradients(model).attribute(xg, baselines=0.0, target=target, n_steps=50)
    if method == "smoothgrad":
        return NoiseTunnel(Saliency(model)).attribute(xg, nt_type="smoothgrad", nt_samples=20, stdevs=0.15,
                                                      target=target)
    if method == "guided_backprop":
        return GuidedBackprop(model).attribute(xg, target=target)
    if method == "grad_cam":
        cam = LayerGradCam(model, conv).attribute(xg, target=target, relu_attributions=True)
        return LayerAttribution.interpolate(cam, (64, 64), interpolate_mode="bilinear")
    if method == "guided_grad_cam":
        return GuidedGradCam(model, conv).attribute(xg, target=target)
    return Occlusion(lambda z: F.softmax(model(z), 1)).attribute(
        x, sliding_window_shapes=(1, 8, 8), strides=(1, 4, 4), baselines=0.0, target=target,
        perturbations_per_eval=256)


def paired(ours, bare, repeat: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """Seconds per call of both, interleaved so that load from other processes hits both alike."""
    a, b = [], []
    for _ in range(repeat):
        a += timed(ours, 1, warmup)
        b += timed(bare, 1, warmup)
        warmup = 0
    return a, b


def row(what: str, a: list[float], b: list[float], target_ms: float | None) -> list:
    """Median and best (the least disturbed run) in ms; the ratio of the bests."""
    best_a, best_b = min(a) * 1e3, min(b) * 1e3
    met = "" if target_ms is None else ("yes" if best_a <= target_ms else "NO")
    return [what, f"{median(a) * 1e3:.1f}", f"{best_a:.1f}", f"{median(b) * 1e3:.1f}", f"{best_b:.1f}",
            f"{best_a / best_b:.2f}", f"<= {target_ms}" if target_ms else "-", met]


def attribution_rows(model, x, repeat: int) -> list[list]:
    rows = []
    for method in attribution.METHODS:
        a, b = paired(lambda: attribution.attribute(model, x, 3, method), lambda: bare_call(model, x, 3, method),
                      repeat)
        rows.append(row(method, a, b, TARGETS_MS.get(method)))
    return rows


@torch.inference_mode()
def bare_topk(model, images: np.ndarray, layer: str, k: int) -> None:
    """The minimum: the layers up to `layer` over every image, spatial max, top-k per channel."""
    net = pixel_model.inner(model)
    stop = [n for n, _ in net.named_children()].index(layer) + 1
    peaks = []
    for lo in range(0, len(images), 512):
        x = torch.from_numpy(np.array(images[lo:lo + 512], np.float32))
        peaks.append(net[:stop]((x - model.mean) / model.std).flatten(2).max(2).values)
    torch.cat(peaks).topk(k, dim=0)


def topk_rows(model, repeat: int) -> tuple[list[list], str]:
    try:
        ds = datasets.load("sign-digits", download_missing=False)
    except datasets.DatasetError:
        ds = datasets.load("digits")
    rows = []
    for layer in ("7", "15"):  # a middle ReLU, the last ReLU (the whole convolutional part)
        a, b = paired(lambda: inspection.top_activations(model, ds.images, (1, 64, 64), layer, 9),
                      lambda: bare_topk(model, ds.images, layer, 9), max(3, repeat // 3), warmup=1)
        rows.append(row(f"top-9, layer {layer}", a, b, 1500))
    return rows, f"{len(ds):,} images of {ds.name} {ds.image_shape}"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_rows(model, x) -> list[list]:
    rows = []
    for method in ("saliency", "guided_backprop", "guided_grad_cam", "occlusion"):
        for _ in range(5):
            attribution.attribute(model, x, 3, method)
        before = rss_mb()
        for i in range(100):
            attribution.attribute(model, x, i % 10, method)
        rows.append([method, f"{before:.0f}", f"{rss_mb():.0f}", f"{rss_mb() - before:+.1f}",
                     str(attribution.hooks_left(model))])
    return rows


def occlusion_rows(model, x, repeat: int) -> list[list]:
    """Occlusion with an 8x8 window at strides 8, 4, 2, 1 (81 to 3,249 covered copies) against the
    plain Captum call (issue 21: <= 300 ms at stride 1), and the first call on a model (which
    makes the fused copy that later calls reuse)."""
    fresh = default_net()
    t = time.perf_counter()
    attribution.attribute(fresh, x, 3, "occlusion", window=8, stride=4)
    first = [time.perf_counter() - t]
    rows = [row("first call on a model, stride 4 (makes the fused copy)", first,
                timed(lambda: attribution.captum_occlusion(fresh, x, 3, 8, 4), 1, 0), None)]
    for stride in (8, 4, 2, 1):
        a, b = paired(lambda s=stride: attribution.attribute(model, x, 3, "occlusion", window=8, stride=s),
                      lambda s=stride: attribution.captum_occlusion(model, x, 3, 8, s),
                      repeat if stride > 1 else max(3, repeat // 3))
        rows.append(row(f"occlusion 8x8, stride {stride}", a, b, 300 if stride == 1 else None))
    return rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--threads", type=int)
    p.add_argument("--only", choices=["occlusion", "methods"],
                   help="only the occlusion table (issue 21) or only the table of every method")
    args = p.parse_args()
    threads = device.set_threads(args.threads)
    model = default_net()
    torch.manual_seed(1)
    x = torch.rand(1, 1, 64, 64)
    print(f"FastNet (default options) at 64x64, torch {torch.__version__}, {threads} thread(s), "
          f"load average {os.getloadavg()[0]:.1f}")
    head = ["what", "ours median", "ours best", "bare median", "bare best", "ratio (best)", "target ms", "met (best)"]
    if args.only != "methods":
        table("Occlusion of one 64x64 picture, ours vs Captum's Occlusion (ms)", head,
              occlusion_rows(model, x, args.repeat))
    if args.only != "occlusion":
        table("Attribution of one 64x64 picture (median)", head, attribution_rows(model, x, args.repeat))
    if args.only:
        print(f"load average at end {os.getloadavg()[0]:.1f}")
        return
    rows, what = topk_rows(model, args.repeat)
    table(f"Maximal activations over {what} (median)", head, rows)
    table("Memory over 100 repeated attributions", ["method", "RSS before MB", "after MB", "growth MB",
                                                   "hooks left"], memory_rows(model, x))


if __name__ == "__main__":
    main()

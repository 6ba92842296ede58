"""Passes over many pictures, in the batches the app used before (at most 512 MB of feature maps
and 512 pictures) and the ones it uses now (cost.batch_size: at most limits.BATCH_BYTES of maps),
against one plain PyTorch call over the whole split.

    python -m bench.bench_split_passes [--archs course_cnn compact_cnn fastnet] [--repeat 3]
                                       [--threads 1] [--fgsm]

Rows, per architecture, on Sign Language Digits' course split (1,649 training, 413 test
pictures, 64x64 grey): the test split's probabilities (Does it know?, every page's confusion
figures), the out-of-distribution statistics under every prediction (training features,
their Gaussians, the test split's Mahalanobis scores), the Mahalanobis scores alone, the top-k
search of the last convolution over all 2,062 pictures (Maximal activations), the Occlusion map
of one test picture (8x8 window, stride 4 and 2; Captum's perturbations_per_eval) and its
Integrated Gradients (internal_batch_size, 50 steps), and with --fgsm the FGSM accuracy curve
(Fooling). Before and after take turns in one process, `--repeat`
times, so that a drift of the machine slows both alike. The networks have their seeded initial
weights, wrapped as the app loads a saved model (PixelModel, channels-last): a pass costs the
same whatever the weights are.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
import torch

from bench.common import median, table
from explorer import models
from explorer.data import datasets
from explorer.inspect import attribution, inspection, ood, pixel_model, robustness
from explorer.models import cost
from explorer.saved.model_card import Normalisation
from explorer.train import device

OLD_FEATURES, OLD_FGSM = 256, 256  # the batches of ood.features and the curve before
OLD_BYTES = 512 * 2**20  # the feature maps a batch could hold before (limits.REQUEST_BYTES)


def old_mahalanobis(g: ood.Gaussians, feats: np.ndarray) -> np.ndarray:
    """The app's previous formula: one einsum over (N, K, D) x (D, D)."""
    d = np.asarray(feats, np.float64)[:, None, :] - g.means[None]
    return -np.einsum("nkd,de,nke->nk", d, g.precision, d).min(1)


def ood_statistics(model, train, test, batch: int, mahalanobis) -> np.ndarray:
    g = ood.fit(ood.features(model, train.images, batch), train.labels, 10)
    return mahalanobis(g, ood.features(model, test.images, batch))


@torch.inference_mode()
def plain_probabilities(model, images: np.ndarray) -> np.ndarray:
    """One call over the whole split, as a first PyTorch script would."""
    return torch.softmax(model(torch.from_numpy(np.array(images, np.float32))), 1).numpy()


def rows_for(arch: str, train, test, everything, fgsm: bool) -> list[tuple[str, Callable, Callable, Callable | None]]:
    torch.manual_seed(0)
    net = models.build(arch, in_channels=1, num_classes=10, input_size=(64, 64))
    model = pixel_model.wrap(net, Normalisation((0.5,), (0.25,))).requires_grad_(False)
    c = cost.cost(model, (1, 64, 64))
    old, new = int(max(1, min(512, OLD_BYTES // (c.activations * 4)))), cost.batch_size(c)
    last_conv = [la.name for la in inspection.layers(model, (1, 64, 64)) if la.kind == "conv"][-1]
    feats = ood.features(model, test.images, new)
    g = ood.fit(ood.features(model, train.images, new), train.labels, 10)
    print(f"{arch}: {c.activations * 4 / 2**20:.2f} MB of feature maps a picture; batches before "
          f"{old} (probabilities) / {OLD_FEATURES} (features) / {min(old, inspection.TOP_K_BATCH)} (top-k), now {new}")
    rows = [
        ("test probabilities, 413 pictures",
         lambda: pixel_model.probabilities(model, test.images, old),
         lambda: pixel_model.probabilities(model, test.images, new),
         lambda: plain_probabilities(model, test.images)),
        ("OOD statistics: 1,649 + 413 pictures' features, Mahalanobis",
         lambda: ood_statistics(model, train, test, OLD_FEATURES, old_mahalanobis),
         lambda: ood_statistics(model, train, test, new, ood.mahalanobis), None),
        ("Mahalanobis scores of 413 feature vectors (einsum before)",
         lambda: old_mahalanobis(g, feats), lambda: ood.mahalanobis(g, feats), None),
        (f"top-9 search of layer {last_conv} (the last convolution), 2,062 pictures",
         lambda: inspection.top_activations(model, everything, (1, 64, 64), last_conv, 9, old),
         lambda: inspection.top_activations(model, everything, (1, 64, 64), last_conv, 9, new), None),
    ]
    x = pixel_model.batch(test.images[0])
    for method, params, what in (("occlusion", {"stride": 4}, "Occlusion map, 8x8 window, stride 4"),
                                 ("occlusion", {"stride": 2}, "Occlusion map, 8x8 window, stride 2"),
                                 ("integrated_gradients", {}, "Integrated Gradients, 50 steps")):
        rows.append((f"{what}, one picture",
                     lambda m=method, p=params: attribution.attribute(model, x, 0, m, **p,
                                                                      **attribution.memory_params(m, old)),
                     lambda m=method, p=params: attribution.attribute(model, x, 0, m, **p,
                                                                      **attribution.memory_params(m, new)),
                     None))
    if fgsm:
        rows.append(("FGSM curve, 413 pictures x 8 epsilons",
                     lambda: robustness.accuracy_curve(model, test.images, test.labels, batch=OLD_FGSM),
                     lambda: robustness.accuracy_curve(model, test.images, test.labels, batch=new), None))
    return rows


def seconds(fn: Callable) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(name: str, before: Callable, after: Callable, plain: Callable | None, repeat: int) -> list:
    times: dict[str, list[float]] = {"before": [], "after": [], "plain": []}
    for _ in range(repeat):  # taking turns: a slower minute slows both
        times["before"].append(seconds(before))
        times["after"].append(seconds(after))
        if plain is not None:
            times["plain"].append(seconds(plain))
    b, a = median(times["before"]), median(times["after"])
    p = f"{median(times['plain']):.3f}" if plain is not None else "-"
    return [name, f"{b:.3f}", f"{a:.3f}", f"{a / b:.2f}", p,
            f"{a / median(times['plain']):.2f}" if plain is not None else "-"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--archs", nargs="+", default=["course_cnn", "compact_cnn", "fastnet"])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--fgsm", action="store_true", help="also the FGSM curve (slow for the course's CNN)")
    args = p.parse_args()
    threads = device.set_threads(args.threads)
    ds = datasets.load("sign-digits", download_missing=False)
    train, test = datasets.split(ds)
    print(f"torch {torch.__version__}, {threads} thread(s); load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores when it started; medians of {args.repeat} turns")
    for arch in args.archs:
        rows = [measure(*r, args.repeat) for r in rows_for(arch, train, test, ds.images, args.fgsm)]
        table(f"{arch}: seconds (load average {os.getloadavg()[0]:.1f} at the end)",
              ["what", "before s", "now s", "now / before", "one plain call s", "now / plain"], rows)


if __name__ == "__main__":
    main()

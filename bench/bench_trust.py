"""Speed of the "can we trust it" pages with the default net (FastNet on Sign Language Digits,
64x64 grey), against the bare Captum / PyTorch calls.

    python -m bench.bench_trust [--repeat 15] [--threads N] [--defence] [--models DIR]

FastNet is trained first with its default schedule (the Train page's default run) on the
course's split, so the attacks and curves act on a real model. Rows: one FGSM picture, one
PGD picture (10 steps), the FGSM accuracy curve over the whole test split (8 epsilons), the
deletion and insertion curves of every attribution method on one picture (curves alone, and
with the maps computed), Captum's infidelity and sensitivity_max for every method, and the
calibration and OOD threshold on the test split. --defence also trains the same net with
FGSM examples (epsilon 0.1) and prints both accuracy-against-epsilon curves. --models DIR
takes both nets from a models folder instead (the CLI's --out; e.g. trained before with
`python -m explorer.train --dataset sign-digits [--adversarial 0.1] --out DIR`), which keeps
the training out of a run on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from captum.robust import FGSM, PGD

from bench.common import median, table, timed
from explorer.data import datasets
from explorer.inspect import attribution, calibration, faithfulness, ood, pixel_model, robustness, sanity
from explorer.models import from_spec  # noqa: E402
from explorer.saved import registry
from explorer.train import device, recipes, training

METHODS = tuple(attribution.METHODS)


def train_default(train, test, adversarial: float = 0.0, threads: int | None = None):
    arch = recipes.DEFAULT_MODEL
    torch.manual_seed(0)
    net = from_spec.build(recipes.model_spec(arch, train))
    config = training.TrainConfig(**recipes.default_schedule(arch), device="cpu", threads=threads,
                                  adversarial_epsilon=adversarial)
    done = [e for e in training.train(config, train, test, net) if isinstance(e, training.Finished)][0]
    model = pixel_model.wrap(done.model, done.normalisation).requires_grad_(False)
    return model, done


def saved_nets(folder: str) -> dict[float, torch.nn.Module]:
    """{adversarial epsilon: PixelModel} of the FastNets on sign-digits in a models folder."""
    out = {}
    for m in registry.list_models(folder):
        if m.card.architecture == "fastnet" and m.card.dataset == "sign-digits":
            eps = float(m.card.config.get("adversarial_epsilon", 0.0))
            net, card = registry.load(m.id, folder)
            out.setdefault(eps, pixel_model.wrap(net, card.normalisation).requires_grad_(False))
    return out


def ms(seconds: list[float]) -> str:
    return f"{median(seconds) * 1000:.1f}"


def row(what, ours, bare, target_ms):
    m = median(ours) * 1000
    return [what, f"{m:.1f}", f"{min(ours) * 1000:.1f}", ms(bare) if bare else "-",
            f"{median(ours) / median(bare):.2f}" if bare else "-", str(target_ms) if target_ms else "-",
            ("yes" if m <= target_ms else "NO") if target_ms else "-"]


def ce(out, y):
    return F.cross_entropy(out, y, reduction="none")


def bare_curve(model, x, y, epsilons):
    attack = FGSM(model, loss_func=ce, lower_bound=0.0, upper_bound=1.0)
    out = []
    for eps in epsilons:
        adv = attack.perturb(x, eps, y)
        with torch.no_grad():
            out.append((model(adv).argmax(1) == y).float().mean().item())
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--threads", type=int)
    p.add_argument("--defence", action="store_true")
    p.add_argument("--models", help="a models folder holding FastNet on sign-digits (and its adversarial twin)")
    args = p.parse_args()
    threads = device.set_threads(args.threads)
    try:
        ds = datasets.load("sign-digits", download_missing=False)
    except datasets.DatasetError:
        ds = datasets.load("digits")
    train, test = datasets.split(ds)
    nets = saved_nets(args.models) if args.models else {}
    if 0.0 in nets:
        model = nets[0.0]
        print(f"FastNet on {ds.name} from {args.models}")
    else:
        t = time.perf_counter()
        model, done = train_default(train, test, threads=threads)
        print(f"FastNet trained on {ds.name} {ds.image_shape} in {time.perf_counter() - t:.1f} s, test accuracy "
              f"{done.test_accuracy:.1%}")
    print(f"torch {torch.__version__}, {threads} thread(s); load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores when it started")
    i = 0
    arr = test.images[i]
    x = torch.from_numpy(arr.copy())[None]
    y = int(test.labels[i])
    yt = torch.tensor([y])
    head = ["what", "ours median ms", "ours best ms", "bare median ms", "ratio", "target ms", "met (median)"]
    rows = []
    quiet = robustness._quiet
    fgsm = FGSM(model, loss_func=ce, lower_bound=0.0, upper_bound=1.0)
    pgd = PGD(model, loss_func=ce, lower_bound=0.0, upper_bound=1.0)
    with quiet():
        rows.append(row("FGSM, one picture (+ both predictions)",
                        timed(lambda: robustness.attack(model, arr, y, 0.05, "fgsm"), args.repeat),
                        timed(lambda: fgsm.perturb(x, 0.05, yt), args.repeat), 20))
        rows.append(row("PGD 10 steps, one picture (+ both predictions)",
                        timed(lambda: robustness.attack(model, arr, y, 0.05, "pgd", steps=10), args.repeat),
                        timed(lambda: pgd.perturb(x, 0.05, 0.0125, 10, yt), args.repeat), 150))
        xs = torch.from_numpy(test.images.copy())
        ys = torch.as_tensor(test.labels).long()
        reps = max(3, args.repeat // 5)
        rows.append(row(f"FGSM accuracy curve, {len(test)} test pictures x 8 ε",
                        timed(lambda: robustness.accuracy_curve(model, test.images, test.labels), reps),
                        timed(lambda: bare_curve(model, xs, ys, robustness.EPSILONS), reps), 10_000))
    table("Attacks (median of repeated runs)", head, rows)
    curve = robustness.accuracy_curve(model, test.images, test.labels)

    randomised = sanity.randomised_copy(model)
    window = max(2, 64 // 8)
    occ = {"window": window, "stride": window // 2}

    def maps(m):
        return {k: attribution.attribute(m, x, y, k, **(occ if k == "occlusion" else {})) for k in METHODS}

    trained_maps, random_maps = maps(model), maps(randomised)

    def orders():
        o = {k: faithfulness.ranking(v) for k, v in trained_maps.items()}
        o["random"] = faithfulness.random_ranking(64 * 64)
        o.update({f"rw {k}": faithfulness.ranking(v) for k, v in random_maps.items()})
        return o

    def full_page():
        tm, rm = maps(model), maps(randomised)
        o = {k: faithfulness.ranking(v) for k, v in tm.items()}
        o.update({f"rw {k}": faithfulness.ranking(v) for k, v in rm.items()})
        o["random"] = faithfulness.random_ranking(64 * 64)
        return faithfulness.curves(model, arr, y, o)

    def methods_only():
        tm = maps(model)
        return faithfulness.curves(model, arr, y, {k: faithfulness.ranking(v) for k, v in tm.items()})

    rows = [
        row("deletion + insertion, 7 methods, maps given", timed(lambda: faithfulness.curves(
            model, arr, y, {k: faithfulness.ranking(v) for k, v in trained_maps.items()}), args.repeat), None, 2000),
        row("... + random order + 7 random-weights maps, maps given",
            timed(lambda: faithfulness.curves(model, arr, y, orders()), args.repeat), None, 2000),
        row("7 maps computed, then their curves", timed(methods_only, max(3, args.repeat // 3)), None, 2000),
        row("the page's picture: 14 maps computed + 15 curve pairs", timed(full_page, max(3, args.repeat // 3)), None, None),
        row("infidelity, 7 methods (32 noise samples each)", timed(lambda: [faithfulness.infidelity_of(
            model, arr, y, trained_maps[k]) for k in METHODS], 3), None, None),
        row("sensitivity_max, 7 methods (5 samples each)", timed(lambda: [faithfulness.sensitivity_of(
            lambda xx, tt, k=k: attribution.attribute(model, xx, tt, k, **(occ if k == "occlusion" else {})),
            arr, y) for k in METHODS], 3), None, None),
    ]
    table("Which explanation is faithful (one 64x64 picture, median)", head, rows)

    probs = pixel_model.probabilities(model, test.images)
    with torch.no_grad():
        logits = model(torch.from_numpy(test.images.copy())).numpy()
    def mahalanobis_threshold():
        g = ood.fit(ood.features(model, train.images), train.labels, len(ds.classes))
        return g, ood.threshold_of(ood.mahalanobis(g, ood.features(model, test.images)), "mahalanobis")

    rows = [row("reliability + ECE (10 bins)", timed(lambda: calibration.reliability(probs, test.labels), args.repeat), None, None),
            row("OOD threshold (max softmax probability)", timed(lambda: ood.threshold(logits, "msp"), args.repeat), None, None),
            row("Mahalanobis: train features, fit, test threshold", timed(mahalanobis_threshold, 3), None, None)]
    table("Calibration on the test split (probabilities given)", head, rows)
    rel = calibration.reliability(probs, test.labels)
    print(f"\nECE {rel.ece:.3f} (mean confidence {rel.mean_confidence:.1%}, accuracy {rel.overall_accuracy:.1%}); "
          f"MSP threshold {ood.threshold(logits).value:.3f}")

    from explorer.data import samples

    photos = np.stack([pixel_model.prepare(samples.load(n), {"input_size": list(ds.image_shape)}) for n in samples.PHOTOS])
    g, maha = mahalanobis_threshold()
    with torch.no_grad():
        photo_logits = model(torch.from_numpy(photos)).numpy()
    out_rows = []
    for kind in ood.SCORES:
        limit = maha if kind == "mahalanobis" else ood.threshold(logits, kind)
        vals = (ood.mahalanobis(g, ood.features(model, photos)) if kind == "mahalanobis"
                else ood.score(photo_logits, kind))
        out_rows.append([kind, f"{limit.value:.4g}"] + [f"{v:.4g} ({'flagged' if not limit.looks_familiar(v) else 'familiar'})"
                                                       for v in vals])
    table("Out-of-distribution scores of the app's photos (threshold: 95% of the test pictures reach it)",
          ["score", "threshold", *samples.PHOTOS], out_rows)

    curves = {"plain": curve}
    defended = [e for e in nets if e > 0]
    if defended:
        curves[f"adversarial ε={defended[0]:g}"] = robustness.accuracy_curve(nets[defended[0]], test.images, test.labels)
    elif args.defence:
        t = time.perf_counter()
        robust, rdone = train_default(train, test, adversarial=0.1, threads=threads)
        print(f"adversarial FastNet (ε = 0.1) trained in {time.perf_counter() - t:.1f} s "
              f"test accuracy {rdone.test_accuracy:.1%}")
        curves["adversarial ε=0.1"] = robustness.accuracy_curve(robust, test.images, test.labels)
    print(f"load average {os.getloadavg()[0]:.1f} when it ended")
    table("FGSM accuracy against ε on the test split", ["ε", *curves],
          [[f"{e:g}", *[f"{c.accuracies[k]:.1%}" for c in curves.values()]] for k, e in enumerate(curve.epsilons)])


if __name__ == "__main__":
    main()

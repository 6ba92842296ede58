"""Fit and predict time of each baseline on Sign Language Digits, against the bare call.

    CNN_EXPLORER_SIGN_DIGITS=/path/to/sign-language-digits-master.zip \
        python bench/bench_baselines.py [--models svm,knn,...] [--threads 1]

For the scikit-learn models the bare call is the estimator built and fitted directly on the
flattened arrays; for the fully connected network it is a plain PyTorch loop with the same
model and schedule. ratio = explorer time / bare time (1.00 means no overhead); --repeat N
keeps the best of N runs of each. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from explorer.compare import baselines, course_mlp  # noqa: E402
from explorer.data import datasets
from explorer.train import device


def bare_sklearn(name: str, train, test) -> tuple[float, float, float]:
    """(fit s, predict s, accuracy) of the plain scikit-learn call, as the course writes it."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    model = {"svm": lambda: SVC(gamma="scale", decision_function_shape="ovo"),
             "knn": lambda: KNeighborsClassifier(3),
             "logreg": lambda: OneVsRestClassifier(LogisticRegression(random_state=0, solver="lbfgs")),
             "random_forest": lambda: RandomForestClassifier(n_estimators=100, random_state=0)}[name]()
    x_train, x_test = train.images.reshape(len(train), -1), test.images.reshape(len(test), -1)
    t = time.perf_counter()
    model.fit(x_train, train.labels)
    fit = time.perf_counter() - t
    t = time.perf_counter()
    pred = model.predict(x_test)
    return fit, time.perf_counter() - t, float((pred == test.labels).mean())


def bare_mlp(train, test) -> tuple[float, float, float]:
    """The same network and schedule in a plain PyTorch loop."""
    s = course_mlp.Schedule()
    torch.manual_seed(s.seed)
    model = course_mlp.build(train.image_shape, len(train.classes))
    x, y = torch.from_numpy(train.images), torch.from_numpy(train.labels)
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=s.lr), nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(s.seed)
    t = time.perf_counter()
    model.train()
    for _ in range(s.epochs):
        for idx in torch.randperm(len(x), generator=gen).split(s.batch_size):
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
    fit = time.perf_counter() - t
    t = time.perf_counter()
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(test.images)).argmax(1).numpy()
    return fit, time.perf_counter() - t, float((pred == test.labels).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(baselines.NAMES))
    ap.add_argument("--dataset", default="sign-digits", choices=datasets.NAMES)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="best of N, alternating the two calls")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    device.set_threads(args.threads)
    ds = datasets.load(args.dataset, download_missing=False)
    train, test = datasets.split(ds)
    print(f"{args.dataset}: {len(train)} train / {len(test)} test, {train.images[0].size} pixels each; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch threads {torch.get_num_threads()}, device {device.pick().type}")
    head = f"{'model':<14}{'acc':>7}{'fit s':>9}{'bare fit':>10}{'ratio':>7}{'pred s':>9}{'bare pred':>10}{'ratio':>7}{'bare acc':>9}"
    print(head)
    print("-" * len(head))
    warnings.simplefilter("ignore")  # logistic regression's convergence warning, on both sides
    for name in args.models.split(","):
        ours, bares = [], []
        for _ in range(args.repeat):  # alternate, so load from other processes hits both alike
            ours.append(baselines.run(name, train, test))
            bares.append(bare_mlp(train, test) if name == "mlp" else bare_sklearn(name, train, test))
        fit, pred = min(o.fit_seconds for o in ours), min(o.predict_seconds for o in ours)
        bare = (min(b[0] for b in bares), min(b[1] for b in bares), bares[0][2])
        print(f"{name:<14}{ours[0].accuracy:>7.4f}{fit:>9.2f}{bare[0]:>10.2f}{fit / bare[0]:>7.2f}"
              f"{pred:>9.4f}{bare[1]:>10.4f}{pred / bare[1]:>7.2f}{bare[2]:>9.4f}", flush=True)


if __name__ == "__main__":
    main()

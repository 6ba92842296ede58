"""The course's non-convolutional baselines, trained on the same split as the CNNs.

Contract: `run(name, train, test) -> Result` for name in NAMES; `Result.accuracy` and
`Result.fit_seconds` at least. Pixels go in exactly as the course feeds them: float in [0, 1],
each image flattened to one row of C*H*W numbers. `cnn_rows(dataset_name, test)` gives the
same kind of row for every saved CNN trained on that dataset and split.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from explorer.compare.results import Result
from explorer.data.types import COURSE_SPLIT, Dataset, Split

NAMES = ("svm", "knn", "logreg", "random_forest", "mlp")
TITLES = {
    "svm": "SVM",
    "knn": "kNN (k=3)",
    "logreg": "Logistic regression",
    "random_forest": "Random forest",
    "mlp": "Fully connected network",
}
# The exact call the course makes, shown to students next to each result.
CALLS = {
    "svm": 'SVC(gamma="scale", decision_function_shape="ovo")',
    "knn": "KNeighborsClassifier(3)",
    "logreg": 'OneVsRestClassifier(LogisticRegression(random_state=0, solver="lbfgs"))',
    "random_forest": "RandomForestClassifier(n_estimators=100, random_state=0)",
}


def flatten(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(N, C*H*W) float32 pixels in [0, 1] and (N,) int64 labels, as the course feeds them."""
    return ds.images.reshape(len(ds), -1).astype(np.float32, copy=False), ds.labels


def estimator(name: str):
    """A fresh scikit-learn classifier with exactly the course's options."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    makers = {
        "svm": lambda: SVC(gamma="scale", decision_function_shape="ovo"),
        "knn": lambda: KNeighborsClassifier(3),
        # The course's multi_class="ovr" (removed in scikit-learn 1.7): one binary classifier
        # per class, each with random_state=0, the highest score wins.
        "logreg": lambda: OneVsRestClassifier(LogisticRegression(random_state=0, solver="lbfgs")),
        "random_forest": lambda: RandomForestClassifier(n_estimators=100, random_state=0),
    }
    if name not in makers:
        raise ValueError(f"unknown baseline {name!r}; choose one of {', '.join(NAMES)}")
    return makers[name]()


def run(name: str, train: Dataset, test: Dataset, *,
        on_epoch: Callable[[int, int, float], None] | None = None,
        should_stop: Callable[[], bool] | None = None) -> Result:
    """Fit baseline `name` on `train`, measure it on `test`.

    on_epoch(epoch, epochs, loss) and should_stop() only matter for "mlp", the one baseline
    that trains in steps; a stop raises Stopped.
    """
    if name == "mlp":
        from explorer.compare import course_mlp

        return course_mlp.run(train, test, on_epoch=on_epoch, should_stop=should_stop)
    if name not in NAMES:
        raise ValueError(f"unknown baseline {name!r}; choose one of {', '.join(NAMES)}")
    x_train, y_train = flatten(train)
    x_test, y_test = flatten(test)
    model = estimator(name)
    start = time.perf_counter()
    model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(x_test)
    predict_seconds = time.perf_counter() - start
    return Result(
        name, TITLES[name], "classical", float(np.mean(predicted == y_test)), fit_seconds,
        predict_seconds, _params(name, model), _keeps(name, model), CALLS[name],
        _options(model), len(train), len(test), _notes(model),
    )


def _params(name: str, model) -> int | None:
    """Learned weights: only logistic regression has a fixed set of them (one weight per
    pixel and a bias in each of the one-vs-rest classifiers)."""
    if name == "logreg":
        return int(sum(e.coef_.size + e.intercept_.size for e in model.estimators_))
    return None


def _keeps(name: str, model) -> str:
    if name == "svm":
        return f"{int(model.n_support_.sum()):,} support vectors (training images)"
    if name == "knn":
        return f"all {model.n_samples_fit_:,} training images"
    if name == "logreg":
        n, pixels = len(model.estimators_), model.estimators_[0].coef_.shape[1]
        return f"{n} one-vs-rest classifiers, one weight per pixel each ({n} x {pixels:,}) + {n} biases"
    nodes = sum(t.tree_.node_count for t in model.estimators_)
    return f"{len(model.estimators_)} trees, {nodes:,} nodes"


def _options(model) -> dict:
    """The options that matter for the result (scikit-learn's full get_params is noise)."""
    keys = ("C", "kernel", "gamma", "decision_function_shape", "n_neighbors", "weights",
            "solver", "max_iter", "n_estimators", "max_depth", "random_state")
    params = model.get_params()
    if "estimator" in params:  # one-vs-rest: the options of the classifier inside
        params = {**params["estimator"].get_params(), "multi_class": "one-vs-rest"}
        keys += ("multi_class",)
    return {k: params[k] for k in keys if k in params}


def _notes(model) -> tuple[str, ...]:
    """Read off the fitted model (catching the warning instead is not thread-safe).

    Only an iterative solver with a real limit can stop early: the SVM's max_iter is -1 (no
    limit), so it never gets this note."""
    solvers = getattr(model, "estimators_", None)
    solvers = [e for e in solvers if hasattr(e, "solver")] if isinstance(solvers, list) else [model]
    stopped = [e for e in solvers if getattr(e, "solver", None) and getattr(e, "max_iter", 0) > 0
               and getattr(e, "n_iter_", None) is not None and int(np.max(e.n_iter_)) >= e.max_iter]
    if stopped:
        # The course hits the same limit with the same default; say so rather than hide it.
        return (f"lbfgs stopped at scikit-learn's default limit of {stopped[0].max_iter} iterations "
                f"before fully converging in {len(stopped)} of {len(solvers)} classifier(s) (the course "
                "uses the same default).",)
    return ()


# ---- saved CNNs -------------------------------------------------------------------------

def cnn_candidates(dataset_name: str, test: Dataset, split: Split = COURSE_SPLIT, root=None) -> list:
    """Saved models trained on this dataset and split, for these classes and image size."""
    from explorer.saved import registry  # built separately; imported only when CNN rows are asked for

    base = dataset_name.split(":")[0]
    out = []
    for saved in registry.list_models(root):
        card = saved.card
        if (card.dataset == base and card.split == split and list(card.classes) == list(test.classes)
                and card.input_size == test.image_shape):
            out.append(saved)
    return out


def cnn_row(saved, test: Dataset, root=None) -> Result:
    """Load one saved CNN and measure it on the test split (prediction timed, loading not).

    The images get the model's own normalisation (its training split's mean and std), as in
    training; that is part of the CNN, so it is inside the timed prediction.
    """
    import torch

    from explorer.saved import registry
    from explorer.train import device

    model, card = registry.load(saved.id, root)
    dev = device.pick()
    model = model.to(dev).eval()
    x = torch.from_numpy(np.ascontiguousarray(test.images))
    start = time.perf_counter()
    with torch.no_grad():
        predicted = torch.cat([model(card.normalisation.apply(b).to(dev)).argmax(1).cpu() for b in x.split(256)])
    predict_seconds = time.perf_counter() - start
    params = card.params or sum(p.numel() for p in model.parameters())
    epochs = "?" if card.epochs is None else card.epochs
    notes = (f"{epochs} epochs; accuracy recorded when saved: {card.test_accuracy:.4f}.",) \
        if card.test_accuracy is not None else ()
    family = family_of(card.architecture)
    label = "CNN" if family == "CNN" else "Fully connected"
    return Result(
        f"cnn:{saved.id}", f"{label}: {card.name}", family,
        float((predicted.numpy() == test.labels).mean()),
        card.train_seconds, predict_seconds, params,
        f"{params:,} weights", f'models.build("{card.architecture}")',
        {"architecture": card.architecture, "saved": card.created},
        None, len(test), notes,
    )


def family_of(architecture: str) -> str:
    """A saved model is a CNN unless it has no convolution (the course's MLP)."""
    return "fully connected" if architecture == "course_mlp" else "CNN"


def cnn_rows(dataset_name: str, test: Dataset, split: Split = COURSE_SPLIT, root=None) -> list[Result]:
    """One Result per saved CNN trained on `dataset_name` with this split."""
    return [cnn_row(s, test, root) for s in cnn_candidates(dataset_name, test, split, root)]

"""The CNN-vs-classical-ML comparison as a background job, and the results it keeps.

`work(...)` is a JobManager job: it runs the chosen baselines one after the other, then
measures the saved CNNs, emitting `ModelStarted` / `EpochDone` / `ModelDone` events and
storing each finished row in a `ResultStore` keyed by dataset identity and split, so a
revisit (by anyone on the server) shows it at once and a stopped run keeps what it finished.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from explorer.compare import baselines
from explorer.compare.results import Result, Stopped
from explorer.data.types import Dataset, Split

# The course's published accuracies on Sign Language Digits (quoted, not measured here).
COURSE_REPORTED = {
    "mlp": 0.7748, "svm": 0.7457, "knn": 0.6828, "logreg": 0.7506, "random_forest": 0.8063,
    "cnn": 0.9225,
}
COURSE_DATASET = "sign-digits"
# Saved models the course trained itself: only these get its figure beside them.
SAME_AS_COURSE = {"course_cnn": "cnn", "course_mlp": "mlp"}
WHY_DIFFERENT = (
    "Why they differ: the models and options are the course's, but (1) the course read a "
    "prepared 64x64 copy of the photos (X.npy) while the app shrinks the archive's 100x100 "
    "photos itself, so pixel values and the order the split draws from differ; (2) the "
    "networks start from different random numbers (PyTorch's, not Keras's initialisation), "
    "and the forest from another random stream; (3) library versions differ. Measured "
    "(bench/course_baselines.py, bench/course_mlp_init.py): the models without any randomness "
    "differ from the course as much as the networks do, and Keras's initialisation moves the "
    "MLP by less than a change of seed, so (1), the pictures, is the main reason."
)


@dataclass(frozen=True)
class SplitKey:
    """Identifies what a result was measured on: the dataset's content and the split."""

    dataset: str  # name + content fingerprint
    split: Split


_FINGERPRINTS: "weakref.WeakKeyDictionary[Dataset, str]" = weakref.WeakKeyDictionary()


def split_key(ds: Dataset, split: Split) -> SplitKey:
    """Two datasets with the same pixels, labels and classes share results."""
    return SplitKey(fingerprint(ds), split)


def fingerprint(ds: Dataset) -> str:
    """name:hash of the content; hashed once per Dataset object (shared datasets are reused)."""
    if ds not in _FINGERPRINTS:
        h = hashlib.blake2b(digest_size=8)
        for arr in (ds.images, ds.labels):
            h.update(memoryview(np.ascontiguousarray(arr).reshape(-1)).cast("B"))
        h.update("|".join(ds.classes).encode())
        _FINGERPRINTS[ds] = f"{ds.name}:{h.hexdigest()}"
    return _FINGERPRINTS[ds]


class ResultStore:
    """Finished rows per SplitKey, newest `max_splits` splits kept; safe across threads."""

    def __init__(self, max_splits: int = 16):
        self.max_splits = max_splits
        self._rows: OrderedDict[SplitKey, dict[str, Result]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: SplitKey, result: Result) -> None:
        with self._lock:
            self._rows.setdefault(key, {})[result.name] = result
            self._rows.move_to_end(key)
            while len(self._rows) > self.max_splits:
                self._rows.popitem(last=False)

    def get(self, key: SplitKey) -> dict[str, Result]:
        """A copy: name -> Result."""
        with self._lock:
            return dict(self._rows.get(key, {}))


@dataclass(frozen=True)
class ModelStarted:
    name: str
    title: str
    index: int  # 1-based
    total: int
    at: float  # time.time()


@dataclass(frozen=True)
class EpochDone:
    name: str
    epoch: int
    epochs: int
    loss: float


@dataclass(frozen=True)
class ModelDone:
    result: Result


def work(train: Dataset, test: Dataset, names: list[str], cnns: list, store: ResultStore,
         key: SplitKey, root=None):
    """The function `run(job)` to give JobManager.submit; it returns the Results it made.

    `names`: baselines to run (in order); `cnns`: registry.SavedModel entries to measure.
    """
    def run(job) -> list[Result]:
        total = len(names) + len(cnns)
        done = []
        steps = [(n, baselines.TITLES[n], None) for n in names]
        steps += [(f"cnn:{s.id}", f"CNN: {s.name}", s) for s in cnns]
        for i, (name, title, saved) in enumerate(steps, 1):
            if job.stop_requested:
                break
            job.emit(ModelStarted(name, title, i, total, time.time()))
            try:
                result = _one(name, saved, train, test, job, root)
            except Stopped:
                break
            store.put(key, result)
            job.emit(ModelDone(result))
            done.append(result)
        return done

    return run


def _one(name, saved, train, test, job, root) -> Result:
    if saved is not None:
        return baselines.cnn_row(saved, test, root)
    return baselines.run(
        name, train, test,
        on_epoch=lambda e, n, loss: job.emit(EpochDone(name, e, n, loss)),
        should_stop=lambda: job.stop_requested,
    )


def order(results: dict[str, Result]) -> list[Result]:
    """Baselines in the course's order, then the CNNs by accuracy."""
    fixed = [results[n] for n in baselines.NAMES if n in results]
    cnns = sorted((r for n, r in results.items() if n.startswith("cnn:")), key=lambda r: -r.accuracy)
    return fixed + cnns


def course_value(result: Result) -> float | None:
    """The course's figure for the same model, None for a model the course never trained."""
    if result.name.startswith("cnn:"):
        key = SAME_AS_COURSE.get((result.options or {}).get("architecture"))
        return COURSE_REPORTED[key] if key else None
    return COURSE_REPORTED.get(result.name)


@dataclass(frozen=True)
class Agreement:
    """How far the measured accuracies are from the course's, for the models it trained."""

    pairs: tuple[tuple[str, float, float], ...]  # (title, measured, course)
    photo_points: float  # one test photo, in percentage points
    ranking_holds: bool  # same order of models by accuracy as the course's

    @property
    def largest(self) -> tuple[str, float]:
        """(title, measured - course in points) with the largest size."""
        title, m, c = max(self.pairs, key=lambda p: abs(p[1] - p[2]))
        return title, (m - c) * 100

    def sentence(self) -> str:
        title, diff = self.largest
        order = ("The order of the models by accuracy is the course's." if self.ranking_holds
                 else "The order of the models by accuracy is **not** the course's here.")
        return (f"Measured against the course's figures for the same {len(self.pairs)} model(s): the "
                f"largest difference is {diff:+.1f} points ({title}); one test photo is "
                f"{self.photo_points:.2f} points. {order}")


def agreement(results: list[Result]) -> Agreement | None:
    """None when no measured model has a course figure."""
    pairs = [(r, course_value(r)) for r in results]
    pairs = [(r, c) for r, c in pairs if c is not None]
    if not pairs:
        return None
    by_measured = [r.title for r, _ in sorted(pairs, key=lambda p: -p[0].accuracy)]
    by_course = [r.title for r, c in sorted(pairs, key=lambda p: -p[1])]
    n_test = max(r.n_test for r, _ in pairs) or 1
    return Agreement(tuple((r.title, r.accuracy, c) for r, c in pairs), 100 / n_test, by_measured == by_course)


def table(results: list[Result], with_course: bool) -> list[dict]:
    """Rows for st.dataframe: one per model, times in seconds."""
    rows = []
    for r in results:
        row = {"Model": r.title, "Accuracy": r.accuracy}
        if with_course:
            course = course_value(r)
            row["Course reported"] = course
            row["Difference (points)"] = None if course is None else round((r.accuracy - course) * 100, 1)
        row.update({
            "Fit (s)": r.fit_seconds, "Predict (s)": r.predict_seconds,
            "Parameters": r.params, "What it keeps": r.keeps, "Built with": r.call,
            "Notes": " ".join(r.notes),
        })
        rows.append(row)
    return rows


def course_table() -> list[dict]:
    """The course's published numbers, for display when another dataset is chosen."""
    titles = {**baselines.TITLES, "cnn": "The course's CNN (course_cnn)"}
    return [{"Model": titles[n], "Course reported accuracy": v} for n, v in COURSE_REPORTED.items()]

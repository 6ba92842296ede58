"""The comparison job: results kept per dataset and split, progress events, clean stops."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from explorer.compare import baselines, comparison, course_mlp
from explorer.compare.results import Result
from explorer.data import datasets
from explorer.data.types import Split
from explorer.server.jobs import DONE, STOPPED, JobManager


@pytest.fixture(scope="module")
def digits():
    return datasets.load("digits")


def row(name: str, accuracy: float = 0.5) -> Result:
    return Result(name, name, "classical", accuracy, 1.0, 0.1, None, "", "")


def test_split_key_follows_content_and_split(digits):
    same = datasets.Dataset("digits", digits.images.copy(), digits.labels.copy(), digits.classes)
    assert comparison.split_key(digits, Split(0.2, 8)) == comparison.split_key(same, Split(0.2, 8))
    assert comparison.split_key(digits, Split(0.2, 8)) != comparison.split_key(digits, Split(0.2, 9))
    assert comparison.split_key(digits, Split(0.2, 8)) != comparison.split_key(digits, Split(0.3, 8))
    changed = same.images.copy()
    changed[0, 0, 0, 0] = 0.5
    other = datasets.Dataset("digits", changed, digits.labels, digits.classes)
    assert comparison.split_key(other, Split(0.2, 8)) != comparison.split_key(digits, Split(0.2, 8))


def test_store_keeps_rows_per_split_and_forgets_old_splits():
    store = comparison.ResultStore(max_splits=2)
    keys = [comparison.SplitKey(f"d{i}", Split(0.2, 8)) for i in range(3)]
    store.put(keys[0], row("svm"))
    store.put(keys[0], row("knn"))
    store.put(keys[0], row("knn", 0.9))  # measured again: the new row replaces the old one
    assert set(store.get(keys[0])) == {"svm", "knn"} and store.get(keys[0])["knn"].accuracy == 0.9
    store.put(keys[1], row("svm"))
    store.put(keys[2], row("svm"))
    assert store.get(keys[0]) == {} and set(store.get(keys[2])) == {"svm"}


def test_job_runs_models_in_order_and_stores_them(digits):
    train, test = datasets.split(digits)
    key, store, mgr = comparison.split_key(digits, Split(0.2, 8)), comparison.ResultStore(), JobManager(1)
    job = mgr.submit("baselines", comparison.work(train, test, ["knn", "logreg"], [], store, key))
    assert mgr.wait_all(120)
    assert job.state == DONE, job.error
    started = [e for e in job.events if isinstance(e, comparison.ModelStarted)]
    assert [(e.name, e.index, e.total) for e in started] == [("knn", 1, 2), ("logreg", 2, 2)]
    assert set(store.get(key)) == {"knn", "logreg"}
    assert [r.name for r in job.result] == ["knn", "logreg"]


class StopAfterFirst(comparison.ResultStore):
    """Presses Stop as soon as the first model is stored: a stop between two models."""

    job = None

    def __init__(self):
        super().__init__()
        self.submitted = threading.Event()  # set once `job` is known: kNN may be stored before submit() returns

    def put(self, key, result):
        super().put(key, result)
        assert self.submitted.wait(30)
        self.job.stop()


def test_stop_between_models_keeps_the_finished_one(digits):
    train, test = datasets.split(digits)
    key, store, mgr = comparison.split_key(digits, Split(0.2, 8)), StopAfterFirst(), JobManager(1)
    store.job = job = mgr.submit("baselines", comparison.work(train, test, ["knn", "logreg", "svm"], [], store, key))
    store.submitted.set()
    assert mgr.wait_all(120)
    assert job.state == STOPPED
    assert set(store.get(key)) == {"knn"}


def test_stop_in_the_middle_of_the_mlp(digits):
    """Stop pressed while the network trains: it ends after the current epoch, nothing is kept."""
    train, test = datasets.split(digits)
    key, store, mgr = comparison.split_key(digits, Split(0.2, 8)), comparison.ResultStore(), JobManager(1)
    job = mgr.submit("baselines", comparison.work(train, test, ["mlp", "knn"], [], store, key))
    gate = threading.Event()
    while not any(isinstance(e, comparison.EpochDone) for e in job.events):
        assert not gate.wait(0.01) and not job.is_finished
    job.stop()
    assert mgr.wait_all(120)
    assert job.state == STOPPED
    epochs = [e.epoch for e in job.events if isinstance(e, comparison.EpochDone)]
    assert 1 <= len(epochs) < course_mlp.Schedule().epochs
    assert store.get(key) == {} and job.result == []
    assert not any(isinstance(e, comparison.ModelStarted) and e.name == "knn" for e in job.events)


def test_table_puts_the_course_figures_beside_measured_ones():
    rows = comparison.table([row("svm", 0.8), row("knn", 0.6)], with_course=True)
    assert rows[0]["Course reported"] == 0.7457 and rows[1]["Course reported"] == 0.6828
    assert "Course reported" not in comparison.table([row("svm")], with_course=False)[0]
    assert {r["Model"] for r in comparison.course_table()} >= {"SVM", "The course's CNN (course_cnn)"}


def test_order_is_the_courses_then_cnns_by_accuracy():
    rows = {n: row(n) for n in ("mlp", "svm")}
    rows["cnn:a"] = Result("cnn:a", "A", "CNN", 0.7, None, 0.1, 10, "", "")
    rows["cnn:b"] = Result("cnn:b", "B", "CNN", 0.9, None, 0.1, 10, "", "")
    assert [r.name for r in comparison.order(rows)] == ["svm", "mlp", "cnn:b", "cnn:a"]
    # A saved model the course never trained gets no course figure.
    assert comparison.course_value(rows["cnn:a"]) is None


def saved(name: str, architecture: str, accuracy: float) -> Result:
    return Result(name, name, baselines.family_of(architecture), accuracy, None, 0.1, 10, "", "",
                            {"architecture": architecture})


def test_only_the_same_model_gets_the_courses_figure():
    assert np.isclose(comparison.course_value(saved("cnn:c", "course_cnn", 0.9)), 0.9225)
    assert np.isclose(comparison.course_value(saved("cnn:m", "course_mlp", 0.7)), 0.7748)
    assert comparison.course_value(saved("cnn:f", "fastnet", 0.97)) is None
    assert comparison.course_value(saved("cnn:k", "compact_cnn", 0.9)) is None


def test_a_saved_course_mlp_is_not_a_cnn():
    assert baselines.family_of("course_mlp") == "fully connected"
    assert baselines.family_of("course_cnn") == "CNN"


def test_agreement_measures_the_difference_and_the_ranking():
    rows = [row("svm", 0.80), row("knn", 0.70), saved("cnn:c", "course_cnn", 0.95)]
    rows = [Result(**{**r.__dict__, "n_test": 413}) for r in rows]
    a = comparison.agreement(rows)
    assert a.ranking_holds  # 0.95 > 0.80 > 0.70, as the course's 0.9225 > 0.7457 > 0.6828
    title, diff = a.largest
    assert np.isclose(diff, (0.80 - 0.7457) * 100) and "+5.4 points" in a.sentence()
    assert np.isclose(a.photo_points, 100 / 413)
    swapped = [row("svm", 0.60), row("knn", 0.70)]
    assert not comparison.agreement(swapped).ranking_holds
    assert "not** the course's" in comparison.agreement(swapped).sentence()
    assert comparison.agreement([saved("cnn:f", "fastnet", 0.97)]) is None
    table = comparison.table(rows, with_course=True)
    assert table[0]["Difference (points)"] == round((0.80 - 0.7457) * 100, 1)

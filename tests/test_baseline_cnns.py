"""Saved CNNs join the comparison: only those trained on the same dataset and split."""

from __future__ import annotations

import pytest

from explorer.compare import baselines, comparison
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT, Split
from explorer.saved import registry
from explorer.server.jobs import DONE, JobManager
from explorer.train import recipes, runs, training

SPLIT = COURSE_SPLIT


@pytest.fixture(scope="module")
def digits():
    return datasets.split(datasets.load("digits"))


@pytest.fixture(scope="module")
def saved(digits, tmp_path_factory):
    """A small CNN really trained on the digits and saved through the registry, plus two copies
    whose metadata says another split and another dataset."""
    root = tmp_path_factory.mktemp("models")
    train, test = digits
    config = training.TrainConfig(epochs=2, batch_size=64, lr=0.02, threads=1, seed=0, device="cpu")
    spec = recipes.model_spec("fastnet", train, {"width": 8})
    out = runs.run(runs.TrainRequest(spec, config, "digits", train, test, SPLIT, "tiny cnn", root))
    model, card = registry.load(out.saved.id, root)
    registry.save(model, card.replace(name="other split", split=Split(0.2, 9)), root)
    registry.save(model, card.replace(name="other dataset", dataset="sign-digits"), root)
    return root, out.saved


def test_only_the_same_dataset_and_split_are_offered(digits, saved):
    root, tiny = saved
    _, test = digits
    assert len(registry.list_models(root)) == 3
    found = baselines.cnn_candidates("digits", test, Split(0.2, 8), root)
    assert [s.id for s in found] == [tiny.id]
    assert [s.card.name for s in baselines.cnn_candidates("digits", test, Split(0.2, 9), root)] == ["other split"]
    assert baselines.cnn_candidates("digits", test, Split(0.3, 8), root) == []


def test_cnn_row_measures_the_saved_model_on_the_test_split(digits, saved):
    root, tiny = saved
    _, test = digits
    [r] = baselines.cnn_rows("digits", test, root=root)
    assert r.name == f"cnn:{tiny.id}" and r.title == "CNN: tiny cnn" and r.family == "CNN"
    # Measured again here with the model's own normalisation: the same as when it was trained.
    assert r.accuracy == pytest.approx(tiny.card.test_accuracy, abs=1e-9)
    assert r.accuracy > 0.5
    assert r.fit_seconds == tiny.card.train_seconds and r.predict_seconds > 0
    assert r.params == tiny.card.params and r.n_test == len(test)


def test_the_comparison_job_measures_saved_cnns_after_the_baselines(digits, saved):
    root, tiny = saved
    train, test = digits
    key, store, mgr = comparison.split_key(datasets.load("digits"), Split(0.2, 8)), comparison.ResultStore(), JobManager(1)
    cnns = baselines.cnn_candidates("digits", test, Split(0.2, 8), root)
    job = mgr.submit("baselines", comparison.work(train, test, ["knn"], cnns, store, key, root))
    assert mgr.wait_all(120) and job.state == DONE, job.error
    assert [r.name for r in comparison.order(store.get(key))] == ["knn", f"cnn:{tiny.id}"]
    started = [e.title for e in job.events if isinstance(e, comparison.ModelStarted)]
    assert started == ["kNN (k=3)", "CNN: tiny cnn"]

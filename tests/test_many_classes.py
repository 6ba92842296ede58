"""A 1,000-class training result (a student's zip of 1,000 folders): the Train page draws the most
frequent confusions and the worst classes instead of a 1,000 x 1,000 matrix, so what it sends to
the browser stays small (it sent 40 MB and took 125 s to draw)."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from explorer import limits
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT, Dataset
from explorer.train import recipes, runs, training
from explorer.ui import input_picker
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
K = 1000
SESSION = "a student with a thousand folders"


def thousand_classes() -> Dataset:
    """3 pictures per class of 8x8 grey, each class its own pattern (a real, if easy, task)."""
    rng = np.random.default_rng(0)
    prototypes = rng.random((K, 1, 8, 8), dtype=np.float32)
    images = np.clip(np.repeat(prototypes, 3, 0) + rng.normal(0, 0.05, (3 * K, 1, 8, 8)), 0, 1).astype(np.float32)
    return Dataset("thousand", images, np.repeat(np.arange(K), 3), [f"class {k:04d}" for k in range(K)])


def proto_bytes(node) -> int:
    """Bytes of every element the page sent (their protobuf messages)."""
    total = 0
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ByteSize"):
        total += proto.ByteSize()
    children = getattr(node, "children", None)
    for child in (children.values() if isinstance(children, dict) else children or []):
        total += proto_bytes(child)
    return total


def test_a_thousand_class_result_is_drawn_small(data_dir):
    from explorer.ui import cached

    ds = thousand_classes()
    train, test = datasets.split(ds, COURSE_SPLIT)
    spec = recipes.model_spec("fastnet", train, {"width": 8})
    config = training.TrainConfig(epochs=1, batch_size=64, lr=0.02, threads=1, seed=0, device="cpu")
    request = runs.TrainRequest(spec, config, "thousand", train, test, COURSE_SPLIT,
                                "thousand classes")
    manager = cached.job_manager()
    job = runs.submit(manager, request, owner=SESSION)
    assert manager.wait_all(120) and job.state == "done", job.error
    assert job.result.probabilities.shape == (len(test), K)

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["session_id"] = SESSION
    at.run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("most frequent confusions" in c.value for c in at.caption)
    sent = proto_bytes(at._tree)
    assert sent < 2 * 2**20, f"{sent / 2**20:.1f} MB sent for one result"
    table = at.dataframe[0].value
    assert 0 < len(table) <= limits.CHART_CLASSES and list(table.columns)[:2] == ["true class", "predicted"]


def test_the_probability_chart_shows_the_most_likely_classes():
    probs = np.random.default_rng(0).dirichlet(np.ones(K))
    chart = input_picker.probability_chart(probs, [f"c{k}" for k in range(K)], int(probs.argmax()))
    assert len(chart.data) == limits.CHART_CLASSES
    assert chart.data["probability"].iloc[0] == probs.max() and chart.data["top"].iloc[0]


def test_top_confusions():
    m = np.array([[5, 2, 0], [0, 4, 7], [1, 0, 3]])
    assert recipes.top_confusions(m, 2) == [(1, 2, 7), (0, 1, 2)]
    assert recipes.top_confusions(np.eye(3, dtype=int), 5) == []

"""The course's claims on the Inspect pages: first-layer filters as edge detectors (measured
on the trained model, against its untrained weights) and the maximal-activation caveat."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.inspect import edges
from explorer.learn import kernels
from explorer.saved import registry
from tests.conftest import ROOT
from tests.inspect_helpers import save_digits_model


def test_edge_score_recognises_oriented_edges_and_ignores_blur():
    w = np.stack([kernels.make("sobel x", 3), kernels.make("sobel y", 3), np.ones((3, 3)),
                  -kernels.make("sobel x", 3)])[:, None]
    s = edges.score(w)
    assert list(s.edge_like) == [True, True, False, True]
    np.testing.assert_allclose(s.angle[[0, 1, 3]], [0, 90, 180])
    # random weights are sometimes edge-like too: that is why the page compares with them
    rand = edges.score(np.random.default_rng(0).normal(size=(2000, 1, 3, 3)))
    assert 0.1 < rand.edge_like.mean() < 0.4


@pytest.fixture(scope="module")
def saved():
    return save_digits_model(epochs=2, name="course inspect net")


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page(path).run()
    assert not at.exception
    return at


def test_filters_page_measures_edge_detectors_before_and_after(saved):
    at = open_page("pages/filters.py")
    snaps = registry.load_filters(saved.id)
    after, before = edges.score(snaps[-1]), edges.score(snaps[0])
    t = " ".join(m.value for m in at.markdown)
    n = snaps.shape[1]
    assert f"**{after.count} of {n}**" in t and f"**{before.count} of {n}** with the random weights" in t


def test_max_activations_page_gives_the_courses_caveat(saved):
    at = open_page("pages/max_activations.py")
    assert any("not necessarily meaningful" in i.value for i in at.info)

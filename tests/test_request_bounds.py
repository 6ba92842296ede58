"""What one page request may compute is bounded: an Occlusion with a 1-pixel window, or Maximal
activations of a large model over a whole dataset, is refused with a sentence before it runs
(the issue measured 315 s per picture and 6.8 GB), and batches are sized to the model."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from explorer import limits
from explorer.inspect import attribution
from explorer.models import cost, from_spec
from explorer.ui import ood_note
from tests.conftest import ROOT
from tests.inspect_helpers import COURSE_CNN, save_untrained

APP = str(ROOT / "app.py")
# About 76 million multiply-adds per 64x64 picture: within the bound for one picture (100 M),
# but a pass over all 2,062 pictures of Sign Language Digits needs 157 billion.
HEAVY = [{"type": "conv", "channels": 16, "kernel": 3, "padding": 1}, {"type": "relu"},
         {"type": "conv", "channels": 64, "kernel": 3, "padding": 1}, {"type": "relu"},
         {"type": "conv", "channels": 64, "kernel": 3, "padding": 1}, {"type": "relu"},
         {"type": "maxpool", "size": 2},
         {"type": "conv", "channels": 64, "kernel": 3, "padding": 1}, {"type": "relu"},
         {"type": "maxpool", "size": 8}, {"type": "dense", "units": 32}]
# About 0.8 MB of feature maps per 64x64 picture for few multiply-adds (the course's CNN has
# 4.2 MB): a model whose passes over a split are sized by the caches, not by the memory bound.
WIDE_MAPS = [{"type": "conv", "channels": 24, "kernel": 1}, {"type": "relu"},
             {"type": "maxpool", "size": 8}, {"type": "dense", "units": 16}]


@pytest.fixture
def sign_digits(sign_digits_archive, data_dir, monkeypatch):
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(sign_digits_archive))


def open_page(path: str, **query) -> AppTest:
    """The page opened from a link that carries `query` (set when the page itself runs: the
    app takes parameters no page reads out of the address)."""
    at = AppTest.from_file(APP, default_timeout=240).run()
    at.query_params.update(query)
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_occlusion_with_a_1_pixel_window_is_refused_before_it_runs(sign_digits):
    saved = save_untrained(COURSE_CNN, "course cnn")
    at = open_page("pages/occlusion.py", model=saved.id, occlusion_window="1", occlusion_stride="1")
    assert at.slider(key="occlusion_window").value == 1
    refusals = [w.value for w in at.warning if "passes through the model" in w.value]
    assert refusals and "larger stride" in refusals[0], [w.value for w in at.warning]
    assert len(at.get("image")) == 1  # the input only: no map was computed
    notes = [c.value for c in at.caption]
    assert not any(ood_note.CHECKING in n for n in notes), notes  # never a "checking" line left for ever
    at.slider(key="occlusion_window").set_value(8).run()  # the usual settings still work
    at.slider(key="occlusion_stride").set_value(4).run()
    assert not at.exception and len(at.get("image")) == 1 + 3
    notes = [c.value for c in at.caption] + [w.value for w in at.warning]
    assert any("a hand sign" in n for n in notes) and not any(ood_note.CHECKING in n for n in notes), notes


def test_maximal_activations_of_a_large_model_is_refused_but_the_course_cnn_runs(sign_digits):
    from explorer.models import builder

    heavy = save_untrained(builder.spec(HEAVY, [1, 64, 64], 10), "heavy")
    with torch.device("meta"):
        c = cost.cost(from_spec.build(heavy.card.spec), (1, 64, 64))
    assert c.macs <= limits.MODEL_MACS and c.macs * 2062 > limits.REQUEST_MACS  # one picture fine, the dataset not
    at = open_page("pages/max_activations.py", model=heavy.id)
    assert any("whole dataset" in w.value and "billion multiply-adds" in w.value for w in at.warning)
    assert not at.get("image")


def test_batches_are_sized_to_the_models_feature_maps():
    small = cost.Cost(params=1, macs=1, activations=30_000)  # 0.12 MB a picture: the usual 512
    big = cost.Cost(params=1, macs=1, activations=4 * 2**20)  # 16 MB a picture: 4 at once
    assert cost.batch_size(small) == 512 and cost.batch_size(big) == limits.BATCH_BYTES // (16 * 2**20) == 4
    assert attribution.memory_params("integrated_gradients", 32) == {"internal_batch_size": 32}
    assert attribution.memory_params("occlusion", 1000) == {"perturbations_per_eval": 256}


def test_passes_over_many_pictures_go_in_batches_that_fit_the_caches(sign_digits):
    """The out-of-distribution statistics and the FGSM curve of the course's CNN took 18 and 19-24 s
    at 1 thread, in batches of 121-256 pictures (a 512 MB bound) whose feature maps outgrow the
    CPU's caches (bench/bench_split_passes.py: 7.4-7.9 and 14.8-16.4 s now). A batch, also of Occlusion's
    covered copies, now holds at most limits.BATCH_BYTES of maps, with the results of larger ones."""
    from explorer.inspect import attribution, ood, pixel_model
    from explorer.models import builder
    from explorer.ui import attribution_cache, model_cache, trust_cache

    saved = save_untrained(builder.spec(WIDE_MAPS, [1, 64, 64], 10), "wide maps")
    model = model_cache.load_model(saved.id)[0]
    maps = model_cache.model_cost(saved.id).activations * 4
    assert 256 * maps > 2 * limits.BATCH_BYTES  # batches of 256 would hold over twice as much
    whole, test = model_cache.dataset_of(saved.card), model_cache.test_split(saved.id)
    seen: list[int] = []
    hook = model.register_forward_pre_hook(lambda _m, inp: seen.append(len(inp[0])))
    try:
        probs = model_cache.test_probabilities(saved.id)
        scores = trust_cache.test_scores(saved.id, "mahalanobis")
        curve = trust_cache.fgsm_curve(saved.id)
        passes = len(seen)
        occluded = attribution_cache.attribution_map(saved.id, False, "test:0", test.images[0], 0, "occlusion")
    finally:
        hook.remove()
    assert seen and max(seen) * maps <= limits.BATCH_BYTES < 2 * max(seen) * maps
    n_train = len(whole.images) - len(test.images)
    # one pass over the test split for its probabilities and features, one for FGSM's gradient, one per epsilon
    assert sum(seen[:passes]) == len(test.images) * (1 + 1 + len(curve.epsilons)) + n_train
    assert sum(seen[passes:]) == 1 + 15 * 15 and len(seen) - passes > 2  # the picture and its covered copies

    np.testing.assert_allclose(probs, pixel_model.probabilities(model, test.images, 512), atol=1e-6)
    g = trust_cache.gaussians(saved.id)
    np.testing.assert_allclose(scores, ood.mahalanobis(g, ood.features(model, test.images, 512)), rtol=1e-4)
    assert curve.pictures == len(test.images) and len(curve.accuracies) == len(curve.epsilons)
    whole_batch = attribution.attribute(model, pixel_model.batch(test.images[0]), 0, "occlusion")
    np.testing.assert_allclose(occluded, whole_batch, atol=1e-6)


@pytest.mark.parametrize("what", ["ood statistics", "test predictions", "fgsm curve", "top-k search"])
def test_a_prediction_waits_for_one_batch_of_a_long_pass_not_the_whole_pass(sign_digits, what):
    """The app shares one model between every session, under one lock. A pass over a whole split
    held it to the end: while the first student to open Occlusion with the course's CNN waited for
    its out-of-distribution statistics (about 8 s on 2 cores), every other student's prediction on
    that model waited too. The lock is now held per batch."""
    from explorer.models import builder
    from explorer.ui import model_cache, trust_cache

    saved = save_untrained(builder.spec(WIDE_MAPS, [1, 64, 64], 10), f"shared {what}")
    model = model_cache.load_model(saved.id)[0]
    long_pass = {"ood statistics": lambda: trust_cache.test_scores(saved.id, "mahalanobis"),
                 "test predictions": lambda: model_cache.test_probabilities(saved.id),
                 "fgsm curve": lambda: trust_cache.fgsm_curve(saved.id),
                 "top-k search": lambda: model_cache.top_k(saved.id, model_cache.layers(saved.id)[0].name, 9)}[what]
    started, finished = threading.Event(), threading.Event()
    hook = model.register_forward_pre_hook(lambda _m, inp: started.set() if len(inp[0]) > 1 else None)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            long_pass()
        except BaseException as exc:  # noqa: BLE001 (shown by the assertion below)
            errors.append(exc)
        finally:
            finished.set()

    worker = threading.Thread(target=run)
    try:
        worker.start()
        assert started.wait(120)
        picture = model_cache.test_split(saved.id).images[1]
        model_cache.probabilities(saved.id, f"while {what}", picture)
        answered_first = not finished.is_set()
        worker.join(300)
    finally:
        hook.remove()
    assert errors == []
    assert answered_first, f"the prediction waited for the whole {what}"

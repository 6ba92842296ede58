"""An app process holds only what the students' pages use (bench/README.md, "What a server
held and did not need"): every module a server imports stays resident in it, twice over in a
lecture hall of two processes, and so does every array a running training keeps alive.

The Saliency page's path (Captum's maps of a model and of its random-weights copy, their rank
similarity) runs in a fresh child process, whose modules are then its own (this test process
has imported much else)."""

from __future__ import annotations

import gc
import importlib.util
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from explorer.data import datasets
from explorer.inspect import inspection, sanity
from explorer.models import from_spec
from explorer.train import recipes, training
from tests.conftest import ROOT

CHILD = r"""
import json, sys
import torch
from torch import nn
from explorer.ui import saliency_views  # the page's own imports (Streamlit, Captum, the app's modules)
from explorer.inspect import attribution, sanity

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 16 * 16, 3)).eval()
x = torch.rand(1, 1, 16, 16)
trained = attribution.attribute(model, x, 1, "saliency")
random_weights = attribution.attribute(sanity.randomised_copy(model, seed=1), x, 1, "saliency")
print(json.dumps({"similarity": sanity.similarity(trained, random_weights),
                  "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("IPython", "scipy", "captum"))}))
"""


@pytest.fixture(scope="module")
def saliency_child() -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=180, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_sanity_check_does_not_load_scipy_stats(saliency_child):
    # scipy.stats (384 modules, +44 MB per process) was imported for its rank correlation alone.
    assert "captum.attr" in saliency_child["modules"]  # the real path ran
    assert not [m for m in saliency_child["modules"] if m.startswith("scipy.stats")]
    assert -1.0 <= saliency_child["similarity"] <= 1.0


@pytest.mark.skipif(importlib.util.find_spec("IPython") is None, reason="IPython is not installed here: "
                    "Captum cannot load it anyway")
def test_captum_comes_without_ipython(saliency_child):
    # Captum imports IPython for its notebook helpers when it is installed (+20 MB per process).
    assert "captum.attr" in saliency_child["modules"]
    assert not [m for m in saliency_child["modules"] if m.split(".")[0] == "IPython"]


def test_similarity_is_spearmans_rank_correlation():
    rng = np.random.default_rng(0)
    for shape, levels in (((8, 8), None), ((28, 28), 5), ((64, 64), 40), ((3, 50), 2)):
        a = rng.normal(size=shape)
        b = a + rng.normal(scale=0.8, size=shape)
        if levels:  # ties, as flat Grad-CAM and Occlusion patches give: they share their mean rank
            a, b = np.round(a * levels / 4) / levels, np.round(b * levels / 4) / levels
        assert sanity.similarity(a, b) == pytest.approx(spearmanr(np.abs(a).ravel(), np.abs(b).ravel()).statistic,
                                                        abs=1e-12)


def test_a_training_keeps_one_copy_of_its_pictures():
    train, test = datasets.split(datasets.load("digits"))
    config = training.TrainConfig(epochs=2, batch_size=64, lr=0.02, threads=1, seed=0, device="cpu")
    carved = len(train) - math.ceil(config.validation * len(train))  # the pictures it trains on
    assert 0 < carved < len(train)
    run = training.train(config, train, test, from_spec.build(recipes.model_spec("fastnet", train, {"width": 8})))
    assert isinstance(next(run), training.Started)  # the normalised tensors are built, the epochs start
    gc.collect()
    # The carved (unnormalised) copy of the training pictures is no longer alive: on Sign Language
    # Digits it was 23 MB held for the whole run, next to the tensor the loop reads.
    assert not [o for o in gc.get_objects() if isinstance(o, datasets.Dataset) and len(o) == carved]
    finished = [ev for ev in run if isinstance(ev, training.Finished)]
    assert finished and finished[0].epochs_done == 2


def test_the_top_k_search_passes_small_batches():
    # The page passes the batch its memory bound allows (512 pictures for FastNet); batches of 512
    # held four times the memory of batches of 64 at the search's peak, and were slower.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1)).eval()
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append(len(args[0])))
    images = np.random.default_rng(0).random((300, 1, 12, 12), dtype=np.float32)
    top = inspection.top_activations(model, images, (1, 12, 12), "2", k=5, batch=512)
    assert sum(seen) == len(images) and max(seen) <= inspection.TOP_K_BATCH
    # the same pictures as one pass over all of them finds
    whole = model[:3](torch.from_numpy(images)).flatten(2).amax(2)  # (N, C)
    assert np.array_equal(np.sort(top.indices, axis=1), np.sort(whole.topk(5, dim=0).indices.T.numpy(), axis=1))

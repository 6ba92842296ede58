"""The same seed trains the same network, whatever the other students' page runs draw meanwhile.

torch's global random generator is one per process, shared by a server's page runs and training
jobs (explorer/random_state.py). Before, a job's initial weights changed when a page run drew or
seeded at the same moment: 37 of 50 builds with seed 0 differed from the solo build while the
Neurons page's dropout table was redrawn in a loop.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

from explorer import models
from explorer.compare import course_mlp
from explorer.data import datasets
from explorer.inspect import attribution, pixel_model, sanity
from explorer.learn import dropout_demo
from explorer.saved import registry
from explorer.saved.model_card import Normalisation
from explorer.train import recipes, runs, training
from tests import inspect_helpers
from tests.page_helpers import APP


def flat(model: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


class PageRuns:
    """Other students' page runs drawing from the generator in a loop: the Neurons page's dropout
    table, a sanity check's randomised copy and a SmoothGrad map."""

    def __init__(self) -> None:
        torch.manual_seed(1)
        net = models.build("fastnet", in_channels=1, num_classes=10, input_size=[64, 64]).eval()
        self.model = pixel_model.wrap(net, Normalisation((0.5,), (0.25,))).requires_grad_(False)
        self.x = torch.rand(1, 1, 64, 64)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self) -> None:
        while not self.stop.is_set():
            dropout_demo.step(np.arange(8.0), 0.5, 3)
            sanity.randomised_copy(self.model, seed=7)
            attribution.attribute(self.model, self.x, 3, "smoothgrad", nt_samples=4)

    def __enter__(self) -> PageRuns:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(60)


def test_a_runs_initial_weights_depend_on_its_seed_alone():
    spec = recipes.model_spec("fastnet", datasets.load("digits"))
    alone = flat(runs.initial_model(spec, 0))
    with PageRuns():
        beside = [flat(runs.initial_model(spec, 0)) for _ in range(30)]
    differ = sum(not torch.equal(b, alone) for b in beside)
    assert differ == 0, f"{differ} of 30 builds with seed 0 differed from the build alone"


def test_the_same_seed_trains_the_same_network_beside_page_runs():
    train, test = datasets.split(datasets.load("digits"))
    spec = recipes.model_spec("fastnet", train, {"width": 4})
    config = training.TrainConfig(epochs=2, batch_size=64, threads=1, seed=3, device="cpu")

    def run() -> torch.Tensor:
        model = runs.initial_model(spec, config.seed)
        events = list(training.train(config, train, test, model))
        assert isinstance(events[-1], training.Finished)
        return flat(model)

    alone = run()
    with PageRuns():
        beside = run()
    assert torch.equal(beside, alone)


@pytest.mark.parametrize("page", ["pages/building_blocks.py", "pages/train.py", "pages/convolution.py"])
def test_a_page_run_leaves_the_generator_where_it_was(page):
    """Neurons builds the course's network and seeds its dropout table, Train counts a network's
    parameters and times its steps: each in its own block, which leaves the generator as it was
    (before: both pages moved it on every run)."""
    st.cache_data.clear()  # computed in this run, not taken from another test's
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(page)
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    at.run()
    assert not at.exception
    assert torch.equal(torch.random.get_rng_state(), before)


def at_once(run, times: int = 2) -> list[torch.Tensor]:
    """What `run` returns when `times` threads call it together, in their order."""
    results: list[torch.Tensor | None] = [None] * times
    start = threading.Barrier(times)

    def one(i: int) -> None:
        start.wait()
        results[i] = run()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_two_students_training_a_dropout_network_with_one_seed_get_the_network_each_gets_alone():
    """Dropout draws a mask on every training step from torch's global generator. Before, two runs
    at once took turns in one sequence of masks: each ended with other weights than alone."""
    train, test = datasets.split(datasets.load("digits"))
    spec = recipes.model_spec("fastnet", train, {"width": 4, "dropout": 0.5})
    config = training.TrainConfig(epochs=2, batch_size=64, threads=1, seed=3, device="cpu")

    def run() -> torch.Tensor:
        model = runs.initial_model(spec, config.seed)
        events = list(training.train(config, train, test, model))
        assert isinstance(events[-1], training.Finished) and events[0].dropout
        return flat(model)

    alone = run()
    with PageRuns():
        together = at_once(run) + at_once(run)
    differ = sum(not torch.equal(t, alone) for t in together)
    assert differ == 0, f"{differ} of 4 runs beside another differed from the run alone"


def test_the_course_mlp_trains_the_same_network_beside_another():
    """The comparison page's fully connected network has dropout too (the course's 0.2)."""
    train, test = datasets.split(datasets.load("digits"))
    schedule = course_mlp.Schedule(epochs=2, seed=4)

    def run() -> torch.Tensor:
        return torch.as_tensor(course_mlp.run(train, test, schedule).history)

    alone = run()
    together = at_once(run) + at_once(run)
    differ = sum(not torch.equal(t, alone) for t in together)
    assert differ == 0, f"{differ} of 4 runs beside another differed from the run alone (loss per epoch)"


def test_opening_saved_models_leaves_a_runs_initial_weights_alone(tmp_path):
    """An Inspect page opening a saved model builds its network and then puts the saved weights in:
    building drew initial weights from the global generator outside any block, so a job seeding
    its network at that moment got others (before: 3-6 of 30 builds differed, four runs)."""
    saved = inspect_helpers.save_untrained(inspect_helpers.COURSE_CNN, "course network", tmp_path)
    spec = recipes.model_spec("fastnet", datasets.load("digits"))
    alone = flat(runs.initial_model(spec, 0))
    stop = threading.Event()

    def pages_opening_it() -> None:
        while not stop.is_set():
            registry.load(saved.id, tmp_path)

    thread = threading.Thread(target=pages_opening_it, daemon=True)
    thread.start()
    try:
        beside = [flat(runs.initial_model(spec, 0)) for _ in range(30)]
    finally:
        stop.set()
        thread.join(60)
    differ = sum(not torch.equal(b, alone) for b in beside)
    assert differ == 0, f"{differ} of 30 builds with seed 0 differed from the build alone"

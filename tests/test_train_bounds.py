"""The training queue on a shared server: bounded per session, in total and in memory; a run's
time and memory estimated before it is queued, and refused with a sentence when too costly."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

from explorer import limits
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT, Dataset
from explorer.models import builder, from_spec
from explorer.server import jobs
from explorer.server.jobs import JobManager, JobRefused
from explorer.train import estimate, recipes, runs, training
from tests.test_hostile_input import assert_readable

# The network: 256-channel convolutions at 64x64 (about 4 hours for 40 epochs).
HOURS_NET = [{"type": "conv", "channels": 256, "kernel": 3, "padding": 1}, {"type": "relu"},
             {"type": "conv", "channels": 256, "kernel": 3, "padding": 1}, {"type": "relu"},
             {"type": "maxpool", "size": 8}, {"type": "dense", "units": 64}]


def waiting(gate: threading.Event):
    return lambda job: gate.wait(30)


def test_one_session_cannot_fill_the_queue_and_the_server_has_a_total():
    mgr, gate = JobManager(max_running=1, per_owner=2, max_waiting=4), threading.Event()
    try:
        mine = [mgr.submit("train", waiting(gate), owner="student a") for _ in range(2)]
        with pytest.raises(JobRefused, match="You already have 2 runs") as info:
            mgr.submit("train", waiting(gate), owner="student a")
        assert_readable(str(info.value))
        others = [mgr.submit("train", waiting(gate), owner=f"student {c}") for c in "bc"]
        with pytest.raises(JobRefused, match="server is busy"):
            mgr.submit("train", waiting(gate), owner="student d")
        mine[1].stop()  # a queued run stopped frees the student's slot at once
        assert mgr.submit("train", waiting(gate), owner="student a").state == jobs.QUEUED
    finally:
        gate.set()
        assert mgr.wait_all(30)


def test_the_memory_of_queued_runs_is_bounded():
    mgr, gate = JobManager(max_running=1, budget_bytes=3 * 2**30), threading.Event()
    try:
        mgr.submit("train", waiting(gate), owner="a", cost_bytes=2 * 2**30)
        with pytest.raises(JobRefused, match="memory") as info:
            mgr.submit("train", waiting(gate), owner="b", cost_bytes=2 * 2**30)
        assert_readable(str(info.value))
        mgr.submit("train", waiting(gate), owner="b", cost_bytes=2**30)
    finally:
        gate.set()
        assert mgr.wait_all(30)


def test_a_finished_job_lets_go_of_its_data():
    """Four Train clicks kept four dataset splits alive after their runs had finished."""
    mgr = JobManager(max_running=1)

    class Split:  # stands for a training request's arrays
        pixels = np.zeros((1000, 1, 64, 64), np.float32)

    data = Split()
    job = mgr.submit("train", lambda job, data=data: len(data.pixels), owner="a")
    held = weakref.ref(data)
    del data
    assert mgr.wait_all(30) and job.result == 1000
    gc.collect()
    assert held() is None, "the finished job still holds the data it trained on"


def sign_digits_sized(channels: int = 1) -> Dataset:
    """As many pictures, of the same size, as Sign Language Digits at the course's 64x64 (what an
    estimate reads of a dataset is its size and shape, not its pixels)."""
    n = 2062
    return Dataset("sign-digits", np.zeros((n, channels, 64, 64), np.float32),
                   np.arange(n) % 10, [str(d) for d in range(10)])


def request(spec: dict, ds: Dataset, epochs: int) -> runs.TrainRequest:
    train, test = datasets.split(ds)
    return runs.TrainRequest(spec, training.TrainConfig(epochs=epochs), "sign-digits", train, test,
                             COURSE_SPLIT, "hours")


def test_a_network_needing_hours_is_refused_before_it_is_queued():
    ds = sign_digits_sized()
    mgr = JobManager(max_running=1)
    spec = recipes.model_spec("custom", ds, layers=HOURS_NET)
    with pytest.raises((estimate.TooCostly, from_spec.SpecError)) as info:  # the builder's own check
        runs.submit(mgr, request(spec, ds, epochs=40), owner="a")
    assert_readable(str(info.value))
    assert "million multiply-adds per picture" in str(info.value)
    with pytest.raises(builder.LayerError, match="multiply-adds"):  # the layer table says so as you type
        builder.shapes(HOURS_NET, (1, 64, 64), 10)
    assert mgr.jobs() == []  # nothing queued


def test_a_long_run_of_a_small_network_is_refused_for_its_time():
    ds = sign_digits_sized()
    layers = [{"type": "conv", "channels": 32, "kernel": 3, "padding": 1}, {"type": "relu"},
              {"type": "conv", "channels": 64, "kernel": 3, "padding": 1}, {"type": "relu"},
              {"type": "maxpool", "size": 4}, {"type": "dense", "units": 32}]
    e = runs.estimate_of(request(recipes.model_spec("custom", ds, layers=layers), ds, epochs=40))
    estimate.check_model(e.cost, (1, 64, 64))  # the network itself is fine ...
    with pytest.raises(estimate.TooCostly, match="would take") as info:
        estimate.check_run(e)  # ... for 40 epochs, not
    assert_readable(str(info.value))


@pytest.mark.parametrize("arch", ["course_cnn", "fastnet"])
def test_the_course_networks_fit_with_their_own_schedule(arch):
    ds = sign_digits_sized()
    epochs = recipes.default_schedule(arch)["epochs"]  # the course's: 10 for its CNN
    e = runs.check(request(recipes.model_spec(arch, ds), ds, epochs=epochs))
    assert e.seconds < limits.TRAIN_SECONDS and e.peak_bytes < limits.TRAIN_BYTES


def test_the_default_builder_network_fits():
    ds = sign_digits_sized()
    runs.check(request(recipes.model_spec("custom", ds, layers=builder.DEFAULT), ds, epochs=40))


def test_the_train_page_states_the_cost_before_the_click(data_dir):
    from tests.test_apptest_train import open_page

    at = open_page("pages/train.py")
    at.radio(key="train_dataset").set_value("digits").run()
    assert any("Estimated cost: about" in c.value and "MB of memory" in c.value for c in at.caption)
    assert not at.button(key="train_start").disabled


def test_the_time_shown_for_adversarial_training_counts_its_fgsm_pictures():
    """The Train page timed a plain training step for every run: with adversarial training, whose
    every step first makes FGSM pictures of half its batch, it said "about 1 s" for a run of
    1.6 s (the runs take 1.56-1.59x as long as plain ones)."""
    ds = datasets.load("digits")
    spec, shape = recipes.model_spec("fastnet", ds), tuple(ds.image_shape)
    c = estimate.spec_cost(spec, shape)
    plain = estimate.measured_rate(spec, c, shape, 32)
    fgsm_half = estimate.measured_rate(spec, c, shape, 32, adversarial=training.TrainConfig.adversarial_fraction)
    assert plain is not None and fgsm_half is not None
    assert fgsm_half < plain / 1.2, (plain, fgsm_half)  # 1.6-1.7x slower here, in MACs trained per second

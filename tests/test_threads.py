"""Work that runs torch on fewer threads for itself leaves the server's count to everyone else.

torch.set_num_threads also writes the count that every thread copies at its first parallel
operation, so the live camera's worker (1 thread, for its frames) and the activation race (1
thread, three tiny networks) made every later page run and training job of the server
single-threaded: 1.9x slower for a convolution on this 2-core machine (bench/README.md, round 13).
A new thread stands for a page run (Streamlit runs each in a thread of its own) or a training job.
"""

from __future__ import annotations

import threading

import pytest
import torch

from explorer.data import datasets
from explorer.inspect import live
from explorer.models import from_spec
from explorer.train import device, recipes, training
from explorer.ui import blocks_pytorch


@pytest.fixture
def server_count():
    """The server's count set to 2 as the device probe sets it; the process's count put back after."""
    before = device.shared_threads()
    yield device.set_threads(2)
    device.set_threads(before)


def test_the_live_cameras_worker_leaves_page_runs_and_training_the_servers_count(server_count):
    worker = live.FairWorker()  # its thread runs on 1
    assert worker.run("camera", torch.get_num_threads, timeout=30) == 1
    assert device.shared_threads() == server_count  # before: 1


def test_the_activation_race_leaves_its_page_run_and_the_next_ones_the_servers_count(server_count):
    seen: dict[str, int] = {}
    blocks_pytorch._race.clear()  # trained here, not taken from another test's cached result

    def page_run() -> None:  # Neurons, layers, ReLU, dropout: "Train the three"
        curves = blocks_pytorch._race(100, 0)
        seen["curves"] = len(curves)
        seen["this run, after the race"] = torch.get_num_threads()

    t = threading.Thread(target=page_run)
    t.start()
    t.join()
    assert seen == {"curves": 3, "this run, after the race": server_count}  # before: 1
    assert device.shared_threads() == server_count  # the next page run; before: 1


def test_a_training_job_on_its_own_threads_leaves_the_servers_count(server_count):
    train, test = datasets.split(datasets.load("digits"))
    model = from_spec.build(recipes.model_spec("fastnet", train, {"width": 4}))
    config = training.TrainConfig(epochs=1, batch_size=256, threads=1, seed=0, device="cpu")
    events: list = []
    job = threading.Thread(target=lambda: events.extend(training.train(config, train, test, model)))
    job.start()
    job.join()
    assert isinstance(events[-1], training.Finished)  # it trained
    assert device.shared_threads() == server_count  # before: 1

"""Trainings on a Dask distributed cluster (explorer/train/cluster.py): a real scheduler and
worker (in this process, so the test stays quick), the same loop, live events, Stop, the model
in the shared registry, and a student's zip kept out of the cluster."""

from __future__ import annotations

import dataclasses
import time

import pytest

from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.saved import registry
from explorer.server import jobs
from explorer.train import cluster, recipes, runs, training

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def hall():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as hall:
        yield hall
        found = cluster._clients.pop(hall.scheduler_address, None)  # the app's client, before its scheduler goes
        if found is not None:
            found.close()


@pytest.fixture
def on_cluster(hall, monkeypatch):
    monkeypatch.setenv(cluster.SCHEDULER_ENV, hall.scheduler_address)
    return hall.scheduler_address


def queues_held(hall) -> list[str]:
    """The trainings' event queues the scheduler still keeps."""
    return [name for name in hall.scheduler.extensions["queues"].queues if name.startswith("cnn-explorer-train")]


def queues_left(hall, within: float = 10) -> list[str]:
    """queues_held once both sides had `within` seconds to let go of theirs (messages, not calls)."""
    end = time.monotonic() + within
    while queues_held(hall) and time.monotonic() < end:
        time.sleep(0.05)
    return queues_held(hall)


def request(tmp_path, epochs: int, ds=None) -> runs.TrainRequest:
    ds = ds or datasets.load("digits")
    train, test = datasets.split(ds, COURSE_SPLIT)
    config = training.TrainConfig(**{**recipes.default_schedule("fastnet"), "epochs": epochs})
    return runs.TrainRequest(recipes.model_spec("fastnet", ds), config, ds.name, train, test, COURSE_SPLIT,
                             "hall run", root=tmp_path, owner="ab12")


def follow(job: jobs.Job, timeout: float = 120) -> list:
    """The job's event types seen while it was still running (live progress), until it ends."""
    seen = []
    end = time.monotonic() + timeout
    while not job.is_finished and time.monotonic() < end:
        if job.state == jobs.RUNNING:
            # every event already here, not only the newest: they come back in batches, and on a
            # quiet machine a batch can end with the epoch's end every time it is looked at
            events = list(job.events)
            if job.state == jobs.RUNNING:
                seen.extend(type(e).__name__ for e in events if type(e).__name__ not in seen)
        time.sleep(0.02)
    assert job.is_finished, "the run did not end"
    return seen


def test_a_run_on_the_cluster_reports_live_and_saves_into_the_shared_folder(on_cluster, hall, tmp_path):
    manager = jobs.JobManager(max_running=1)
    # 30 epochs (about 2 s here), not 2 or 5: the worker relays its events every RELAY_SECONDS,
    # and a 5-epoch run of the pool-first FastNet on 8x8 digits (about 0.3 s on a quick machine)
    # ended before the app had seen one batch of them while it ran (CI, 2026-12-04); 2 epochs
    # could end before a test process starved of CPU (a loaded machine) looked even once
    job = runs.submit(manager, request(tmp_path, epochs=30))
    live = follow(job)
    assert job.state == jobs.DONE, job.error
    assert "Step" in live and "EpochEnd" in live  # progress arrived while the worker trained
    started = job.last(training.Started)
    assert "on the cluster's worker" in started.device
    assert [e.epoch for e in job.events if isinstance(e, training.EpochEnd)] == list(range(1, 31))
    out = job.result
    assert [m.id for m in registry.list_models(tmp_path)] == [out.saved.id]  # written by the worker
    assert out.saved.card.owner == "ab12" and out.saved.card.name == "hall run"
    assert out.finished.test_accuracy == pytest.approx(out.saved.card.test_accuracy)
    # the predictions the results page shows come from the saved weights, and agree with them
    accuracy = (out.probabilities.argmax(1) == out.labels).mean()
    assert accuracy == pytest.approx(out.finished.test_accuracy)
    assert accuracy > 0.5
    # the run's event queue is gone from the scheduler: a lecture hall's scheduler does not grow
    assert queues_left(hall) == []


def test_stop_reaches_the_worker(on_cluster, hall, tmp_path):
    """Stop travels to the worker with its next relay of events (every RELAY_SECONDS), after the
    app has drained the first epoch's events (every POLL_SECONDS): on a quick machine the digits'
    epochs took ~60 ms and the worker went on to epoch 10 of 40 meanwhile. 400 epochs would take
    half a minute; a stop that reaches the worker ends the run long before."""
    manager = jobs.JobManager(max_running=1)
    job = runs.submit(manager, request(tmp_path, epochs=400))
    end = time.monotonic() + 120
    while job.last(training.EpochEnd) is None and time.monotonic() < end:
        time.sleep(0.02)
    job.stop()
    follow(job)
    done = job.result.finished
    assert job.state == jobs.STOPPED and done.stopped
    assert 1 <= done.epochs_done < 100, done.epochs_done  # it did not train on to the 400th epoch
    assert job.result.saved is not None  # the kept weights of a stopped run are saved too
    assert queues_left(hall) == []


def test_a_students_zip_never_goes_to_the_cluster(on_cluster, tmp_path):
    digits = datasets.load("digits")
    # A zip may carry a built-in dataset's name: it is still the student's pictures.
    zipped = dataclasses.replace(digits, source="your zip")
    req = request(tmp_path, epochs=1, ds=zipped)
    assert req.dataset_name == "digits" and not runs.on_cluster(req)
    manager = jobs.JobManager(max_running=1)
    job = runs.submit(manager, req)
    follow(job)
    assert job.state == jobs.DONE, job.error
    assert "cluster" not in job.last(training.Started).device  # trained in this process


def test_a_cluster_that_does_not_answer_leaves_training_here(monkeypatch, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket closes
    monkeypatch.setenv(cluster.SCHEDULER_ENV, f"tcp://127.0.0.1:{port}")
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    manager = jobs.JobManager(max_running=1)
    job = runs.submit(manager, request(tmp_path, epochs=1))
    follow(job)
    assert job.state == jobs.DONE, job.error
    assert "cluster" not in job.last(training.Started).device
    assert job.result.saved is not None

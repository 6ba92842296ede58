"""One training run as a background job: train, save to the registry, keep what the results
page needs (test predictions). Used by the Train page through the JobManager and by the CLI.
With $CNN_EXPLORER_DASK_SCHEDULER set, a job sends its run to that Dask cluster instead
(explorer/train/cluster.py), which runs this same `run` on a worker.
"""

from __future__ import annotations

import logging
from typing import Callable

import numpy as np

from explorer import random_state
from explorer.models import from_spec
from explorer.saved import registry
from explorer.server import jobs
from explorer.train import cluster, estimate, training
from explorer.train.request import TrainOutcome, TrainRequest


def initial_model(spec: dict, seed: int):
    """The network as a run with this seed starts it: the same seed gives the same initial weights,
    whatever other threads of the server draw meanwhile (explorer/random_state.py)."""
    with random_state.seeded(seed):
        return from_spec.build(spec)


def run(request: TrainRequest, emit: Callable[[object], None] = lambda ev: None,
        should_stop: Callable[[], bool] = lambda: False, predictions: bool = True) -> TrainOutcome:
    """Train to the end (or a stop / divergence), save what is worth keeping, evaluate it.

    predictions=False (the command line, which shows none) leaves the outcome's per-picture
    probabilities and images empty: a pass over the test pictures less."""
    from explorer.train import recipes

    model = initial_model(request.spec, request.config.seed)
    done, diverged = None, None
    for ev in training.train(request.config, request.train_ds, request.test_ds, model, should_stop):
        emit(ev)
        if isinstance(ev, training.Diverged):
            diverged = ev
        if isinstance(ev, training.Finished):
            done = ev
    kept_something = done.epochs_done > 0 or (done.stopped and done.best_epoch > 0)
    usable = kept_something and (diverged is None or done.history)
    saved = None
    if usable:
        card = recipes.card_for(request.name, request.spec, request.dataset_name, request.train_ds,
                                request.split, request.config, done)
        if request.owner:
            card = card.replace(owner=request.owner)
        saved = registry.save(done.model, card, request.root, filters=done.filters)
    test = request.test_ds if predictions else request.test_ds.subset(np.arange(0), ":none")
    probs = (training.predict_proba(done.model, test.images, done.normalisation) if len(test)
             else np.zeros((0, len(test.classes)), np.float32))
    images = (np.clip(test.images, 0, 1) * 255 + 0.5).astype(np.uint8)
    return TrainOutcome(done, saved, probs, np.asarray(test.labels), images, tuple(test.classes), diverged)


def estimate_of(request: TrainRequest) -> estimate.Estimate:
    """Time and memory of a run, from its network's shapes and its data (nothing trained)."""
    c = estimate.spec_cost(request.spec, request.train_ds.image_shape)
    data = request.train_ds.images.nbytes + request.test_ds.images.nbytes
    return estimate.estimate(c, len(request.train_ds), len(request.test_ds), request.config.epochs,
                             request.config.batch_size, data)


def check(request: TrainRequest) -> estimate.Estimate:
    """The run's estimate, or TooCostly (a sentence) when the network or the run is too costly."""
    e = estimate_of(request)
    estimate.check_model(e.cost, request.train_ds.image_shape, "This network")
    estimate.check_run(e)
    return e


def submit(manager: jobs.JobManager, request: TrainRequest, owner: str = "") -> jobs.Job:
    """Queue a training job; its events are training events, its result a TrainOutcome.

    Raises estimate.TooCostly or jobs.JobRefused (both sentences) when it does not fit."""
    e = check(request)
    remote = on_cluster(request)
    return manager.submit("train", lambda job: _work(request, job), owner=owner, label=request.name,
                          cost_bytes=0 if remote else e.peak_bytes)  # a worker's memory is not the app's


def on_cluster(request: TrainRequest) -> bool:
    """Whether this run is meant for the Dask cluster (one is configured and the data can go there)."""
    return cluster.scheduler() is not None and cluster.can_send(request)


def _work(request: TrainRequest, job: jobs.Job) -> TrainOutcome | None:
    """A job's work: on the cluster when configured and reachable, else here."""
    stop = lambda: job.stop_requested
    if on_cluster(request):
        try:
            cluster.client(cluster.scheduler())
        except cluster.ClusterError as exc:  # the class goes on: this process trains instead
            logging.getLogger(__name__).warning("%s Training in the app's process instead.", exc)
        else:
            return cluster.run_remote(request, job.emit, stop, cluster.scheduler(), on_worker)
    return run(request, job.emit, stop)


def on_worker(payload: str, events_name: str, stop_name: str) -> str:
    """The task a Dask worker runs for `_work`: this module's `run`, with the events relayed to
    the app and Stop read from it (explorer/train/cluster.py); returns a JSON summary."""
    request, relay = cluster.worker_side(payload, events_name, stop_name)
    try:
        outcome = run(request, relay.emit, relay.stopped.is_set)
    finally:
        relay.close()  # every event is queued before the task returns
    return cluster.summary_json(outcome)

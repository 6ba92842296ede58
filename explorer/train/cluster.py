"""Trainings on a Dask distributed cluster, when $CNN_EXPLORER_DASK_SCHEDULER names its scheduler.

Without the setting nothing here runs: trainings stay in the app's process (explorer/train/runs.py).
With it, a run on a built-in dataset is sent to the cluster as JSON (the spec, the settings, the
dataset's name and split, a digest of its pictures), never as pickled models or pictures. The
worker loads the dataset itself, checks the digest, and runs the same `runs.run` as the app would,
so the loop has one code path; it saves the model into the shared data folder through the
registry. Its events come back live through a distributed Queue (plain dicts), and Stop sets a
distributed Event that the worker checks between batches. A student's own zip is never sent: it
trains in the app's process (the pages say so).

    app process (JobManager thread)            scheduler             worker
    submit(runs.on_worker, json) ───────────────────────────────────► runs.run(...)
    Queue(key).get(batch) ◄──────────── events as dicts ◄──────────── emit(ev) (batched)
    Event(key-stop).set() ─────────────────────────────────────────► should_stop() (polled)
    future.result(): saved id ◄────────────────────────────────────── registry.save(...)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np

from explorer import random_state
from explorer.data import datasets
from explorer.data.types import Dataset, Split
from explorer.saved import registry
from explorer.train import training
from explorer.train.request import TrainOutcome, TrainRequest

SCHEDULER_ENV = "CNN_EXPLORER_DASK_SCHEDULER"
CONNECT_SECONDS = 5.0
POLL_SECONDS = 0.25  # how often the app drains the events queue
RELAY_SECONDS = 0.3  # how often a worker sends its events and asks whether Stop was pressed
EVENTS = {cls.__name__: cls for cls in (training.Started, training.Step, training.EpochEnd, training.Diverged)}


class ClusterError(RuntimeError):
    """The cluster could not do a run; str(error) is a sentence for people."""


def scheduler() -> str | None:
    """The scheduler's address (e.g. tcp://127.0.0.1:8786), or None: train in the app's process."""
    return os.environ.get(SCHEDULER_ENV, "").strip() or None


def can_send(request: TrainRequest) -> bool:
    """Only built-in datasets go to the cluster: the worker loads them itself. A student's zip
    stays in this process (it never leaves the server, and pictures are not sent as pickles)."""
    return request.dataset_name in datasets.NAMES and request.train_ds.source != "your zip"


def digest(train: Dataset, test: Dataset) -> str:
    """A fingerprint of a split's pictures and labels: the worker must train on the same ones."""
    h = hashlib.sha256()
    for arr in (train.images, train.labels, test.images, test.labels):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class RemoteRequest:
    """What travels to a worker: JSON only (TrainRequest holds arrays; they are not sent)."""

    spec: dict
    config: dict  # TrainConfig fields
    dataset: str  # one of datasets.NAMES
    split: dict  # Split fields
    name: str
    owner: str
    digest: str
    root: str | None  # the registry folder when the app names one (tests); else the worker's data folder

    @classmethod
    def of(cls, request: TrainRequest) -> RemoteRequest:
        root = str(request.root) if request.root is not None else None
        return cls(request.spec, asdict(request.config), request.dataset_name, request.split.to_json(),
                   request.name, request.owner, digest(request.train_ds, request.test_ds), root)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RemoteRequest:
        return cls(**json.loads(text))


# ---- on a worker ------------------------------------------------------------------------------

@functools.lru_cache(maxsize=2)
def _dataset(name: str) -> Dataset:
    return datasets.freeze(datasets.load(name, download_missing=False))


def worker_side(payload: str, events_name: str, stop_name: str) -> tuple[TrainRequest, Relay]:
    """On a worker: the request rebuilt from JSON (its dataset loaded here and checked against
    the app's fingerprint) and the relay to the app. runs.on_worker trains with them."""
    from distributed import Event, Queue, get_worker

    req = RemoteRequest.from_json(payload)
    split = Split(**req.split)
    train_ds, test_ds = datasets.split(_dataset(req.dataset), split)
    if digest(train_ds, test_ds) != req.digest:
        raise ClusterError(f"The cluster's copy of {req.dataset!r} differs from the app's: give the workers "
                           "the same dataset file (CNN_EXPLORER_SIGN_DIGITS or the shared data folder).")
    request = TrainRequest(req.spec, training.TrainConfig(**req.config), req.dataset, train_ds, test_ds,
                           split, req.name, Path(req.root) if req.root else None, req.owner)
    return request, Relay(Queue(events_name), Event(stop_name), get_worker().name)


class Relay:
    """Between the training loop and the scheduler, on a worker. A helper thread sends the events
    in batches and asks whether Stop was pressed, every RELAY_SECONDS: the loop itself never waits
    on the network (a round trip per batch made an epoch 2-3 times slower on a busy machine)."""

    def __init__(self, events, stop, where: str):
        self.events, self.stop, self.where = events, stop, where
        self.pending: list[dict] = []  # appended by the loop, taken by the helper (both atomic)
        self.stopped, self._done = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="cnn-explorer-relay", daemon=True)
        self._thread.start()

    def emit(self, ev) -> None:
        if isinstance(ev, training.Started):
            ev = replace(ev, device=f"{ev.device} on the cluster's worker {self.where}")
        if type(ev).__name__ in EVENTS:  # Finished holds the model: its summary is the task's result
            self.pending.append({"event": type(ev).__name__, **asdict(ev)})

    def _run(self) -> None:
        while not self._done.wait(RELAY_SECONDS):
            self._flush()
            if not self.stopped.is_set() and self.stop.is_set():
                self.stopped.set()
        self._flush()

    def _flush(self) -> None:
        n = len(self.pending)
        if n:
            batch = self.pending[:n]
            del self.pending[:n]
            self.events.put(batch)

    def close(self) -> None:
        self._done.set()
        self._thread.join()
        _release(self.events)


def _release(queue) -> None:
    """Hand back this side's share of a distributed Queue: the scheduler keeps a queue (and the
    events in it) until every client that opened it has released it, so one left open per run
    would grow the scheduler's memory for as long as the lecture hall runs."""
    with suppress(OSError, TimeoutError, RuntimeError):  # a scheduler already gone holds nothing
        queue.close()


def summary_json(outcome: TrainOutcome) -> str:
    """What a worker returns: the saved model's id and the Finished event without its arrays."""
    done = outcome.finished
    kept = {f.name: getattr(done, f.name) for f in fields(done)
            if f.name not in ("model", "filters", "normalisation")}
    return json.dumps({"saved": outcome.saved.id if outcome.saved else None, "finished": kept,
                       "diverged": asdict(outcome.diverged) if outcome.diverged else None})


# ---- in the app -------------------------------------------------------------------------------

_clients: dict = {}
_clients_lock = threading.Lock()


def client(address: str):
    """One distributed.Client per scheduler address for this process (connecting takes a moment)."""
    from distributed import Client

    with _clients_lock:
        found = _clients.get(address)
        if found is None or found.status not in ("running", "connecting"):
            try:
                found = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"The training cluster at {address} does not answer ({exc}).") from exc
            _clients[address] = found
        return found


def run_remote(request: TrainRequest, emit, should_stop, address: str, task) -> TrainOutcome | None:
    """Run `request` on the cluster with `task` (runs.on_worker), re-emitting its events here;
    None when stopped before it began."""
    from distributed import Event, Queue

    dask = client(address)
    key = f"cnn-explorer-train-{uuid.uuid4().hex}"
    events, stop = Queue(f"{key}-events", client=dask), Event(f"{key}-stop", client=dask)
    future = dask.submit(task, RemoteRequest.of(request).to_json(), events.name, stop.name, key=key, pure=False)
    began = stopping = False
    try:
        while True:
            finished = future.done()  # before draining: every event of a finished task is queued
            for item in (item for batch in events.get(batch=True) for item in batch):
                ev = _event(item)
                began = began or isinstance(ev, training.Started)
                emit(ev)
            if finished:
                break
            if should_stop() and not stopping:
                stopping = True
                stop.set()
                if not began:
                    future.cancel()
                    return None
            time.sleep(POLL_SECONDS)
        summary = json.loads(future.result())
    finally:
        with suppress(OSError, TimeoutError):  # a scheduler gone meanwhile: the run's own error counts
            stop.clear()  # the scheduler forgets a cleared event nobody waits on
        _release(events)
    return _outcome(request, summary)


def _event(item: dict):
    cls = EVENTS[item["event"]]
    return cls(**{f.name: item[f.name] for f in fields(cls) if f.name in item})


def _outcome(request: TrainRequest, summary: dict) -> TrainOutcome:
    """The TrainOutcome `runs.run` would have returned here, rebuilt from the saved model."""
    from explorer.models import from_spec

    test = request.test_ds
    saved = model = norm = None
    if summary["saved"]:
        try:
            saved = registry.get(summary["saved"], request.root)
            model, card = registry.load(saved.id, request.root)
        except registry.RegistryError as exc:
            raise ClusterError("The cluster saved the model in a folder this app does not see: give the app "
                               "and the workers the same shared data folder (CNN_EXPLORER_DATA).") from exc
        norm = card.normalisation
    else:
        with random_state.seeded(0):  # a placeholder (no weights kept), drawn apart from other threads
            model = from_spec.build(request.spec).eval()
    fin = summary["finished"]
    done = training.Finished(model=model, filters=None, normalisation=norm,
                             **{**fin, "history": tuple(fin["history"])})
    if norm is not None:
        probs = training.predict_proba(model, test.images, norm)
    else:  # nothing was kept: the page shows no scores
        probs = np.zeros((0, len(test.classes)), dtype=np.float32)
    images = (np.clip(test.images, 0, 1) * 255 + 0.5).astype(np.uint8)
    diverged = training.Diverged(**summary["diverged"]) if summary["diverged"] else None
    return TrainOutcome(done, saved, probs, np.asarray(test.labels), images, tuple(test.classes), diverged)

"""Before the first student: the class-wide results of the model the Inspect pages open first,
prepared in the background.

On a cold server the first students to open Filters computed what the whole class then shares:
the feature maps of the default test picture through every layer, a clickable grid per layer
and its enlarged map (FastNet's 13 layers: ~4.6 s of CPU), the out-of-distribution statistics of
the training pictures, the test split's predictions. Everybody else waited on that one
computation (p95 4.7 s to open the page at 60 students). A niced daemon thread (one per app
process, started by the first visit of app.py) prepares them as soon as the process sees the
model: at its start, and within POLL_SECONDS of a newer model being saved (by this process or
another one sharing the data folder). Students who arrive meanwhile wait on the same
computation (the stores are single-flight); the results live in the same bounded caches as
ever (cached.shared_results, the pages' st.cache_data), for the one model opened first.

The thread imports what it needs itself (PyTorch, Captum, the model registry: about 2.8 s on 2
cores): app.py starts it on a fresh server's first visit, whose page (Home, for one) need not
wait for them.
"""

from __future__ import annotations

import os
import threading
import traceback

import streamlit as st

from explorer.server import jobs, startup

POLL_SECONDS = 10.0
OFF = "CNN_EXPLORER_WARM_UP"  # "0": no warm-up (the test suite's own app sessions)


def prepare(model_id: str) -> None:
    """What the Filters page computes for its first view of a model (the first test picture,
    every layer's grid and enlarged map, the prediction and the out-of-distribution note
    beside it, the filters and the layer table), into the caches the page reads."""
    from explorer.inspect import ood  # in the thread: see the module's docstring
    from explorer.ui import filter_views, input_picker, model_cache, trust_cache

    card = model_cache.load_model(model_id)[1]
    model_cache.model_cost(model_id)
    filter_views.snapshots(model_id)
    filter_views.layer_table(model_id)
    test = model_cache.test_split(model_id)
    if test is None:  # no test pictures on this server: the page asks for an upload instead
        return
    model_cache.test_probabilities(model_id)
    inp = input_picker.test_input(test, 0)
    probs = model_cache.probabilities(model_id, inp.key, inp.array)
    input_picker.prediction_views(model_id, list(card.classes), inp, probs, presenting=False)
    try:
        if trust_cache.ood_threshold(model_id, ood.DEFAULT) is not None:
            trust_cache.ood_value(model_id, inp.key, inp.array, ood.DEFAULT)
    except ValueError:  # no linear layer: the note says so, nothing to prepare
        pass
    trust_cache.logits(model_id, inp.key, inp.array)
    for layer, fm in filter_views.all_maps(model_id, inp).items():
        filter_views.layer_view(model_id, inp.key, layer, fm, None)


class Preparer(threading.Thread):
    """Prepares the model opened first whenever it changes; `prepared` lists (model id, save
    date) in the order done."""

    def __init__(self, poll_seconds: float = POLL_SECONDS):
        super().__init__(name="class-warm-up", daemon=True)
        self.poll_seconds = poll_seconds
        self.prepared: list[tuple[str, str]] = []
        self._tried: set[tuple[str, str]] = set()  # a model that failed is not tried again
        self.changed = threading.Event()  # set after each model prepared (tests wait on it)
        self.stopped = threading.Event()

    def run(self) -> None:
        startup.wait_for_release()  # the first visit's page goes first
        jobs.lower_priority()  # below the students' page runs, as the trainings are (explorer/server/jobs.py)
        while not self.stopped.is_set():
            self.check()
            self.stopped.wait(self.poll_seconds)

    def check(self) -> None:
        from explorer.saved import registry  # in the thread: see the module's docstring
        from explorer.ui import model_picker

        try:
            first = model_picker.opened_first()
            which = None if first is None else (first.id, first.card.created)
            if which is None or which in self._tried:
                return
            self._tried.add(which)
            prepare(first.id)
            self.prepared.append(which)
            self.changed.set()
        except (registry.RegistryError, OSError, ValueError, RuntimeError):
            # A model that cannot be opened: the page tells the student why; the log says what.
            traceback.print_exc()


@st.cache_resource
def started() -> Preparer | None:
    """Once per app process, from app.py: the thread that prepares the model opened first
    (None when $CNN_EXPLORER_WARM_UP is 0)."""
    if os.environ.get(OFF) == "0":
        return None
    preparer = Preparer()
    preparer.start()
    return preparer

"""Before the first student: the background warm-up (explorer/ui/class_warm_up.py) prepares the
class-wide results of the model the Inspect pages open first, so the first student who opens
Filters computes nothing; a model saved later is prepared too."""

from __future__ import annotations

import pytest

from explorer.server import startup
from explorer.ui import cached, class_warm_up
from tests.inspect_helpers import save_digits_model
from tests.page_helpers import open_page


@pytest.fixture(scope="module")
def saved():
    return save_digits_model(epochs=1, name="warm-up net")


def test_the_first_student_on_filters_finds_everything_prepared(saved):
    cached.shared_results().clear()  # a fresh server
    preparer = class_warm_up.Preparer()
    preparer.check()  # what the thread does at the server's start
    assert preparer.prepared == [(saved.id, saved.card.created)]
    prepared = cached.shared_results().stats()
    at = open_page("pages/filters.py")
    after = cached.shared_results().stats()
    assert after.misses == prepared.misses, "the first student's visit computed something again"
    assert after.hits > prepared.hits
    assert at.get("vega_lite_chart") and at.get("image")  # and saw the grids and pictures


def test_a_newer_model_is_prepared_without_a_visit(saved):
    startup.release()  # as after app.py's first run (explorer/server/startup.py)
    preparer = class_warm_up.Preparer(poll_seconds=0.2)
    preparer.start()  # as app.py starts it: a daemon thread, checking the data folder
    try:
        assert preparer.changed.wait(120)
        preparer.changed.clear()
        before = cached.shared_results().stats()
        newer = save_digits_model(epochs=1, name="warm-up net, later")
        assert preparer.changed.wait(120), "the newly saved model was not prepared"
        assert preparer.prepared[-1] == (newer.id, newer.card.created)
        assert cached.shared_results().stats().misses > before.misses  # its maps and grids computed
    finally:
        preparer.stopped.set()
        preparer.join(120)

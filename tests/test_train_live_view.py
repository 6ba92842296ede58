"""The Train page's live view, driven over Streamlit's own protocol against a real server
(bench/protocol_client): the live view is a `st.fragment(run_every=...)` whose reruns the
browser's timer sends, so the order of what a student sees depends on which run draws it."""

from __future__ import annotations

import asyncio
import time

import pytest

from bench.protocol_client import Run, Session
from explorer.ui import train_results
from tests.browser.conftest import start_server, stop_server
from tests.event_loops import in_own_loop


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return tmp_path_factory.mktemp("train-live-data")


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    # No Sign Language Digits archive: the page trains on the bundled 8x8 digits (a second).
    missing = tmp_path_factory.mktemp("no-archive") / "missing.zip"
    proc, url = start_server(data, {"CNN_EXPLORER_SIGN_DIGITS": str(missing)})
    yield url
    stop_server(proc)


async def train_then_tick(url: str, models) -> Run:
    """Start a run long enough to outlast the click's own run (30 epochs of the 8x8 digits:
    2-4 s on 2 cores), let it end while no redraw of the live view is running, then send the
    live view's next timed rerun; returns what that request drew."""
    s = Session(url)  # no timer of its own: the test sends the redraw
    try:
        await s.connect("train")
        await s.set("Epochs", 30)
        clicked = await s.click("🏋️ Train")
        assert not any("Saved as" in t for t in clicked.texts), "the run ended before the live view drew"
        # The live view is a fragment the browser reruns on a timer (on a fresh server the sidebar's
        # "checking…" for the training device may be another one, every 0.5 s).
        fragment = next((f for f, every in s.auto_reruns.items() if every == train_results.POLL_SECONDS), None)
        assert fragment, f"no live view among the timed fragments {s.auto_reruns}"
        deadline = time.monotonic() + 120
        while not any(models.glob("*/meta.json")) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # the job's predictions after saving, then its end
        run = await asyncio.wait_for(s.tick(fragment), 60)  # a fragment the server lost never finishes
        assert not run.errors, run.errors
        return run
    finally:
        await s.close()


def test_a_run_that_ends_between_two_redraws_says_saved_in_the_live_views_place(server, data):
    """Issue 21 (the Train page's seconds): a run that ended while no redraw of the live view
    was waiting on it rerun the whole page, whose "Saved as" the browser showed only with
    everything below it (its curves, confusion matrix and mistakes: 0.4-0.5 s later on a
    2-core machine). The next redraw now writes the scores and "Saved as" where the progress
    bar was, as a redraw that was waiting does, then the page's run draws the rest."""
    run = in_own_loop(train_then_tick(server, data / "models"))
    assert any("Saved as" in t for t in run.fragment_texts), run.fragment_texts
    # ... then the page's own run: the summary again at the top, the curves and the scores
    assert sum("Saved as" in t for t in run.texts) == 2
    assert sum(kind.endswith("vega_lite_chart") for kind in run.elements) >= 4

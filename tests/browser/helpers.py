"""Helpers for driving a Streamlit page in Playwright."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    const state = app.getAttribute('data-test-script-state');
    const conn = app.getAttribute('data-test-connection-state');
    return conn === 'CONNECTED' && ['notRunning', 'compilationError'].includes(state)
        && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]');
}"""


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (twice, so a rerun that a click
    triggers a moment later is waited for too)."""
    page.wait_for_function(IDLE_JS, timeout=timeout)
    page.wait_for_timeout(200)
    page.wait_for_function(IDLE_JS, timeout=timeout)


def open_page(page: Page, base_url: str, url_path: str = "") -> None:
    """Load a page and wait for its script run to be drawn (every page has a title, so an
    h1 in the main area means the run's output arrived, not just the connection)."""
    page.goto(f"{base_url}/{url_path}")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    wait_idle(page)


def menu(page: Page) -> Locator:
    """The app's menu of pages in the sidebar (explorer/ui/navigation.py)."""
    return page.locator(".st-key-app_menu")


def assert_no_errors(page: Page) -> None:
    """No exception box and no error message anywhere on the page."""
    expect(page.locator(ERROR_SELECTORS)).to_have_count(0)


def wait_camera_ready(page: Page, timeout: float = 30_000) -> None:
    """Wait until st.camera_input's video shows frames (Chromium's fake camera needs a moment
    after permission; a Take Photo click before that captures nothing)."""
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v && v.readyState >= 2 && v.videoWidth > 0; }", timeout=timeout)


class ScriptRuns:
    """The server's own account of a page's script runs, read off the page's websocket.

    Streamlit sends a `new_session` message when a run starts and a `script_finished` when it
    ends, each naming the run (`metadata.run.script_run_id`; fragment runs too). The app is idle
    when the last run that started has finished. Unlike the page's DOM, this cannot miss a run
    that starts late on a busy machine: a click's run is the first one started after the click.

    Counting starts against finishes is not enough. When a rerun is asked for while a run is
    going on (`runner.fastReruns`) or just as one has stopped (a fragment's timed rerun, such as the
    sidebar's device line polling on a fresh server), Streamlit starts a new script runner, and
    AppSession ignores the events of a runner that is no longer current (its own comment in
    `AppSession.request_rerun`, streamlit#9921): that run's `script_finished` is never sent. In CI
    a count of finishes stayed one short for 180 s, twice (2026-12-04), while the page was fine and
    the next test on the same server passed; not reproduced here in 8 fresh servers nor in 4 runs of
    rapid clicks during the polling.
    """

    def __init__(self) -> None:
        self.started = 0  # runs started so far
        self.last: str | None = None  # the run that started last
        self.done: set[str] = set()  # runs whose script_finished arrived

    def __str__(self) -> str:
        return f"{self.started} runs started, {len(self.done)} finished, the last {'' if self.idle else 'not '}finished"

    @property
    def idle(self) -> bool:
        return self.last is None or self.last in self.done

    def frame(self, payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(bytes(payload))
        except Exception:  # not a ForwardMsg: nothing to count
            return
        kind = msg.WhichOneof("type")
        run = msg.metadata.run.script_run_id
        if kind == "new_session":
            self.started += 1
            self.last = run
        elif kind == "script_finished":
            self.done.add(run)


_RUNS: weakref.WeakKeyDictionary[Page, ScriptRuns] = weakref.WeakKeyDictionary()


def watch_runs(page: Page) -> ScriptRuns:
    """Count the page's script runs from now on (call before the page opens the app)."""
    runs = _RUNS.get(page)
    if runs is None:
        runs = _RUNS[page] = ScriptRuns()
        page.on("websocket", lambda ws: ws.on("framereceived", runs.frame))
    return runs


def run_after(page: Page, action: Callable[[], None], timeout: float = 180.0) -> None:
    """Do `action` (a click, an upload...) and wait until the script run it causes, and every
    run after it, has finished: the app's state, not a guess of how long it takes."""
    runs = _RUNS.get(page)
    if runs is None:
        raise RuntimeError("call watch_runs(page) before the page opens the app")
    _poll(page, lambda: runs.idle, timeout, lambda: f"a run that was going on to end ({runs})")
    before = runs.started
    action()
    _poll(page, lambda: runs.started > before and runs.idle, timeout,
          lambda: f"the run this action causes to finish ({runs}; {before} had started before it)")


def _poll(page: Page, done: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
    end = time.monotonic() + timeout
    while not done():  # Playwright delivers websocket events while the page waits
        if time.monotonic() > end:
            raise TimeoutError(f"waited {timeout:.0f} s for {what()}")
        page.wait_for_timeout(50)


def digits_for_epochs(page: Page, epochs: int) -> None:
    """On the Train page: the bundled digits, and the Epochs slider moved to `epochs` with the
    arrow keys (from whatever the default is)."""
    page.get_by_text("Handwritten digits (bundled, 8x8)").click()
    wait_idle(page)
    slider = page.get_by_role("slider", name="Epochs")
    slider.focus()
    for _ in range(40):
        if slider.input_value() == str(epochs):
            break
        slider.press("ArrowLeft" if int(slider.input_value()) > epochs else "ArrowRight")
        page.wait_for_timeout(50)
    wait_idle(page)

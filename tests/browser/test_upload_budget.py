"""The worst upload of issue #19 against a real `streamlit run`: a 218 kB zip of 1,000
one-colour 40-megapixel PNGs (160 GB once decoded). One student uploads it on the Datasets
page; the server must refuse it with a sentence while its memory stays bounded, and another
student must be served meanwhile.

The server's resident memory is sampled from /proc every 50 ms; a watchdog kills the server
past 2 GB above its starting size (the code before the fix grew until the machine ran out), so
that failure is a failed assertion rather than a frozen machine.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import hostile_corpus
from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import assert_no_errors, open_page, wait_idle

WORST = "1,000 one-colour 40-megapixel PNGs (218 kB)"
PEAK_ABOVE_START_MB = 600  # one 40-megapixel picture decoded (~200 MB) plus the other student
WATCHDOG_MB = 2048
ANSWER_S = 90  # a liveness bound for a busy 2-core machine, not a speed claim (bench/ measures)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory(threading.Thread):
    """Samples a process's resident memory; kills it past `kill_above_mb`."""

    def __init__(self, proc, kill_above_mb: float):
        super().__init__(daemon=True)
        self.proc, self.kill_above_mb = proc, kill_above_mb
        self.peak = rss_mb(proc.pid)
        self.killed = False
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set() and self.proc.poll() is None:
            try:
                self.peak = max(self.peak, rss_mb(self.proc.pid))
            except OSError:
                return
            if self.peak > self.kill_above_mb:
                self.killed = True
                self.proc.kill()
                return
            time.sleep(0.05)


@pytest.fixture
def private_server(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("budget-data"))
    yield proc, url
    stop_server(proc)


def new_student(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    return ctx, page


def test_the_worst_zip_is_refused_in_bounded_memory_while_another_student_is_served(private_server, browser):
    proc, url = private_server
    zip_bytes = hostile_corpus.by_name(WORST).build()
    (ctx_a, a), (ctx_b, b) = new_student(browser), new_student(browser)
    try:
        open_page(a, url, "datasets")
        a.get_by_text("Your own zip of class folders").click()
        wait_idle(a)
        open_page(b, url, "convolution")  # the other student's page, once, so its caches are warm
        start = rss_mb(proc.pid)
        watch = PeakMemory(proc, start + WATCHDOG_MB)
        watch.start()

        a.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "classes.zip", "mimeType": "application/zip", "buffer": zip_bytes}])
        # While the upload is checked, the other student opens a page with a new setting.
        t = time.monotonic()
        b.goto(f"{url}/convolution?convolution_stride=3")
        b.wait_for_selector('[data-testid="stMain"] h1', timeout=ANSWER_S * 1000)
        wait_idle(b, timeout=ANSWER_S * 1000)
        other_student_s = time.monotonic() - t

        refusal = a.get_by_text("more than 200 megapixels", exact=False)
        deadline = time.monotonic() + ANSWER_S
        while not refusal.count() and not watch.killed and time.monotonic() < deadline:
            a.wait_for_timeout(250)
        assert not watch.killed, f"the server passed {WATCHDOG_MB} MB above its start and was killed"
        expect(refusal).to_be_visible()
        expect(a.get_by_test_id("stException")).to_have_count(0)
        wait_idle(a)
        watch.done.set()
        watch.join(5)

        assert not watch.killed, f"the server passed {WATCHDOG_MB} MB above its start and was killed"
        grew = watch.peak - start
        print(f"server: {start:.0f} MB before, peak {watch.peak:.0f} MB (+{grew:.0f}); "
              f"the other student's page took {other_student_s:.1f} s")
        assert grew < PEAK_ABOVE_START_MB, f"the server grew by {grew:.0f} MB"
        expect(b.get_by_text("Output ", exact=False).first).to_be_visible()
        assert_no_errors(b)
        assert proc.poll() is None
    finally:
        ctx_a.close()
        ctx_b.close()

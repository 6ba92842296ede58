"""The worst model file of issue #19 against a real `streamlit run`: the 7 MB network of
256-channel convolutions at 64x64 (its Saliency maps took 59 s and 4 GB). One student uploads
it on Saved models; the server refuses it with a sentence, and another student's Saliency page,
which would otherwise open the newest model, is served meanwhile in bounded memory."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests import hostile_corpus
from tests.browser.helpers import assert_no_errors, open_page, wait_idle
from tests.browser.test_models import upload
from tests.browser.test_upload_budget import (  # noqa: F401 (private_server is a fixture)
    ANSWER_S,
    PEAK_ABOVE_START_MB,
    WATCHDOG_MB,
    PeakMemory,
    new_student,
    private_server,
    rss_mb,
)

WORST = "256-channel convolutions at 64x64"


def test_the_costliest_model_is_refused_and_nobody_opens_it(private_server, browser):
    proc, url = private_server
    data = hostile_corpus.by_name(WORST).build()
    (ctx_a, a), (ctx_b, b) = new_student(browser), new_student(browser)
    try:
        open_page(a, url, "models")
        start = rss_mb(proc.pid)
        watch = PeakMemory(proc, start + WATCHDOG_MB)
        watch.start()
        upload(a, "wide.safetensors", data)
        expect(a.get_by_text("This file was not accepted")).to_be_visible(timeout=ANSWER_S * 1000)
        expect(a.get_by_text("million multiply-adds per picture", exact=False)).to_be_visible()

        t = time.monotonic()
        open_page(b, url, "saliency")  # the newest model would be everyone's default
        wait_idle(b, timeout=ANSWER_S * 1000)
        other_student_s = time.monotonic() - t
        watch.done.set()
        watch.join(5)
        assert not watch.killed, f"the server passed {WATCHDOG_MB} MB above its start and was killed"
        grew = watch.peak - start
        print(f"server: {start:.0f} MB before, peak {watch.peak:.0f} MB (+{grew:.0f}); "
              f"the other student's Saliency page took {other_student_s:.1f} s")
        assert grew < PEAK_ABOVE_START_MB, f"the server grew by {grew:.0f} MB"
        expect(b.get_by_text("There is no trained model yet")).to_be_visible()  # nothing was saved
        assert_no_errors(b)
        assert proc.poll() is None
    finally:
        ctx_a.close()
        ctx_b.close()

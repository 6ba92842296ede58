"""CNN vs classical ML in a real browser: run the comparison and see the charts; stop a run."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors, open_page, wait_idle
from tests.browser.test_cut_off import assert_nothing_cut_off

CHARTS = '[data-testid="stVegaLiteChart"]'


def choose_dataset(page, label: str) -> None:
    page.get_by_test_id("stRadio").get_by_text(label).click()
    wait_idle(page, 120_000)


def test_run_the_comparison_and_see_the_charts(server, page):
    open_page(page, server, "baselines")
    choose_dataset(page, "Handwritten digits (bundled, 8x8)")
    expect(page.get_by_text("Nothing measured on this dataset and split yet")).to_be_visible(timeout=120_000)
    page.get_by_role("button", name=re.compile("Train and measure 5 model")).click()
    # The progress names the model being trained while the run goes on.
    expect(page.get_by_text(re.compile(r"Training .+ \(\d of 5"))).to_be_visible(timeout=60_000)
    expect(page.locator(CHARTS)).to_have_count(2, timeout=240_000)
    expect(page.get_by_text("Accuracy on the test split")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Measure again"))).to_be_visible(timeout=60_000)
    expect(page.get_by_text("not put beside results on this dataset")).to_be_visible()
    assert_no_errors(page)
    # Issue #14: 'Fully connected n…' on the charts, a table scrolled sideways (1364 px in 938).
    assert_nothing_cut_off(page, server)


def test_stop_a_running_comparison(sign_digits_archive, server, page):
    # The photos: 30 epochs on 4,096 inputs take long enough for Stop to land mid-run (on the
    # 64 numbers of the bundled digits the run can end before the click).
    open_page(page, server, "baselines")
    choose_dataset(page, "Sign Language Digits (photos of hands)")
    expect(page.get_by_text("4,096 numbers per image")).to_be_attached(timeout=120_000)
    # Only the fully connected network, which checks for Stop after every epoch.
    box = page.get_by_test_id("stMultiSelect")
    box.get_by_role("button", name=re.compile("Clear all", re.I)).click()
    box.locator("input").fill("Fully")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Train and measure 1 model")).click()
    expect(page.get_by_text(re.compile(r"epoch \d+/\d+"))).to_be_visible(timeout=120_000)
    page.get_by_role("button", name="⏹ Stop").click()
    expect(page.get_by_text(re.compile("Stopped. The 0 model"))).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name=re.compile("Train and measure 1 model"))).to_be_visible()
    assert_no_errors(page)

"""Browser: train a tiny run to the end, see the curves, the confusion matrix and its images."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors, digits_for_epochs, open_page, wait_idle


def test_train_a_tiny_run_and_click_the_confusion_matrix(server, page):
    open_page(page, server, "train")
    digits_for_epochs(page, 2)
    expect(page.get_by_role("slider", name="Epochs")).to_have_value("2")
    page.get_by_test_id("stBaseButton-primary").filter(has_text="Train").click()  # not a help button's "Train"
    # live view, then the results replace it when the job ends
    expect(page.get_by_text("Test accuracy", exact=True)).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert_no_errors(page)
    expect(page.get_by_text(re.compile(r"Saved as"))).to_be_visible()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts.nth(3)).to_be_attached(timeout=60_000)  # Vega draws after the run ends
    assert charts.count() >= 4  # batch loss, loss, accuracy, confusion matrix (+ per class)
    expect(page.get_by_text("Click a cell of the confusion matrix")).to_be_visible()
    # the confusion matrix is the chart right after the curves; click near its middle cell
    matrix = charts.nth(3)
    matrix.scroll_into_view_if_needed()
    box = matrix.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)
    expect(page.get_by_text(re.compile(r"True \d+, predicted \d+: \d+ image"))).to_be_visible(timeout=30_000)
    assert_no_errors(page)

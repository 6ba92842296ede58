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


def test_presenter_mode_numbers_every_row_of_the_confusion_matrix(server, page):
    """Projected at 1280x720 the axis labels are 18 px; on the laptop's 24 px rows Vega left
    the rows of 1, 3, 5, 7 and 9 unnamed. The rows are taller in presenter mode now."""
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, server, "train?present=1")
    digits_for_epochs(page, 1)
    page.get_by_test_id("stBaseButton-primary").filter(has_text="Train").click()
    expect(page.get_by_text(re.compile(r"Saved as"))).to_be_visible(timeout=120_000)
    wait_idle(page)
    matrix = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="Confusion matrix")
    expect(matrix).to_be_attached(timeout=60_000)
    matrix.scroll_into_view_if_needed()
    rows = matrix.locator(".role-axis").filter(has_text="true class").locator(".role-axis-label text")
    expect(rows).to_have_count(10)
    # Vega hides a label that would overlap its neighbour (opacity 0) rather than removing it.
    shown = rows.evaluate_all("ts => ts.filter(t => t.getAttribute('opacity') !== '0').map(t => t.textContent)")
    assert sorted(shown) == [str(d) for d in range(10)], shown
    assert_no_errors(page)


def heading_top(page, pattern: str) -> float | None:
    """The top of the first heading matching `pattern`, in window pixels (None: not drawn)."""
    heading = page.get_by_role("heading", name=re.compile(pattern)).first
    if not heading.count():
        return None
    box = heading.bounding_box()
    return box["y"] if box else None


def test_the_train_click_brings_the_run_into_view(server, page):
    """On a laptop's 1400x900 the Train button sits at the bottom of the first screen and the run's
    progress starts below it: a student saw nothing happen after the click until they scrolled.
    Now the page scrolls the run's heading up (to the top, or as far as the page below it allows)
    so that its progress or its scores are in the window."""
    page.set_viewport_size({"width": 1400, "height": 900})
    open_page(page, server, "train")
    digits_for_epochs(page, 3)
    button = page.get_by_test_id("stBaseButton-primary").filter(has_text="Train")
    button.scroll_into_view_if_needed()
    button.click()
    top = None
    for _ in range(100):  # the run is drawn, then scrolled smoothly into view
        top = heading_top(page, r"^Run: ")
        if top is not None and 0 <= top <= 900 - 250:
            break
        page.wait_for_timeout(100)
    # 250 pixels under the heading: the progress bar and its line, or the scores (before: 60-70)
    assert top is not None and 0 <= top <= 900 - 250, f"the run's heading is at y = {top} of a 900-pixel window"
    wait_idle(page)
    assert_no_errors(page)


# Counts, at the first change of the page that shows the new run's heading, what is left of the
# previous run's results: its charts and pictures (and, for the message, what Streamlit greys as stale),
# and what the list of runs says then.
LEFT_OVER_JS = """(newName) => {
    window.__leftOver = null;
    const count = (selector) => document.querySelectorAll('[data-testid="stMain"] ' + selector).length;
    const watch = new MutationObserver(() => {
        const fresh = [...document.querySelectorAll('h3')].some(e => e.textContent.trim() === 'Run: ' + newName);
        if (!fresh) return;
        watch.disconnect();
        window.__leftOver = {charts: count('[data-testid="stVegaLiteChart"]'), pictures: count('img'),
                             stale: count('[data-stale="true"]'),
                             runs: document.querySelector('input[aria-label="Your training runs"]')?.value};
    });
    watch.observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def test_a_new_run_takes_the_previous_results_down_at_once(server, page):
    """A second Train click: the previous run's results (its charts and pictures) leave the page as
    the new run's heading arrives. Before, they stayed under it, greyed, until the click's page run
    ended, and the browser spent CPU greying, scrolling and taking them down while the new run
    trained (bench/README.md, round 7: 27 greyed elements, 6 charts and 14 pictures). And the list
    of runs says "(done)" once the new run has ended."""
    open_page(page, server, "train")
    digits_for_epochs(page, 2)
    button = page.get_by_test_id("stBaseButton-primary").filter(has_text="Train")
    button.click()
    expect(page.get_by_text("Saved as", exact=False)).to_be_visible(timeout=120_000)
    wait_idle(page)
    expect(page.locator('[data-testid="stVegaLiteChart"]').nth(3)).to_be_attached(timeout=60_000)
    digits_for_epochs(page, 8)  # a run that is still running when the click's page run lists it
    new = page.get_by_label("Name of the saved model", exact=True).input_value()
    page.evaluate(LEFT_OVER_JS, new)
    button.click()
    expect(page.get_by_role("heading", name="Run: " + new, exact=True)).to_be_visible()
    left = page.evaluate("window.__leftOver")
    assert left["charts"] == left["pictures"] == 0, f"the previous run's results under the new run: {left}"
    assert left["runs"] in (new + " (queued)", new + " (running)"), left["runs"]  # not yet "(done)"
    expect(page.get_by_text("Saved as " + new + ".", exact=False)).to_be_visible(timeout=120_000)
    wait_idle(page)
    # The list of runs says the run has ended (it went on saying "running").
    expect(page.get_by_role("combobox", name="Your training runs")).to_have_value(new + " (done)")
    assert_no_errors(page)

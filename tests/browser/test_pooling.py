"""The Pooling page in Chromium: presets, window winners, the shift measure."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors, menu, wait_idle
from tests.browser.learn_helpers import (
    click_grid_cell,
    nudge,
    open_via_sidebar,
    wait_tex,
)


def test_alexnet_preset_and_window_click(server, page):
    open_via_sidebar(page, server, "Pooling", "3. Output size")
    expect(page.get_by_text("Max pooled 128x128", exact=False)).to_be_visible()
    page.get_by_text("3x3, stride 2 (AlexNet: overlapping)").click()
    expect(page.get_by_text("Max pooled 127x127", exact=False)).to_be_visible()
    wait_tex(page, "\\frac{256 - 3 + 2 \\cdot 0}{2}")
    caption = page.get_by_text("Output (", exact=False).filter(has_text="input rows")
    expect(caption).to_contain_text("Output (0, 0)")
    # The output grid of an 8x8 crop with 3x3 windows, stride 2: 3x3 cells of 44 pixels.
    click_grid_cell(page.get_by_test_id("stVegaLiteChart").nth(1), 2, 1, 44)
    expect(caption).to_contain_text("Output (2, 1)")
    expect(caption).to_contain_text("input rows 4 to 6, columns 2 to 4")
    assert_no_errors(page)


def test_shift_slider_updates_the_measure(server, page):
    open_via_sidebar(page, server, "Pooling", "3. Output size")
    table = page.get_by_test_id("stDataFrame").first  # the shift table (the rotation table follows)
    expect(table).to_be_visible()
    nudge(page, "Shift by up to", 2)
    expect(page.get_by_test_id("stSlider").filter(has_text="Shift by up to")).to_contain_text("6")
    expect(page.get_by_text("A 1-pixel shift changes the raw map")).to_be_visible()
    assert_no_errors(page)


# Records, per DOM change, whether the Pooling result's picture is drawn and whether section 5
# (below the first screen) has arrived: the index of the change that first saw each.
WATCH_FIRST_SCREEN = """() => {
  const w = window.__firstScreen = {changes: 0, picture: null, rest: null};
  const check = () => {
    w.changes += 1;
    const main = document.querySelector('[data-testid="stMain"]');
    const h1 = main && [...main.querySelectorAll('h1')].find(h => !h.closest('[data-stale="true"]'));
    if (!h1 || !h1.innerText.includes('Pooling')) return;
    const img = main.querySelector('.st-key-pooling_output img');
    if (w.picture === null && img && img.complete && img.naturalWidth > 0) w.picture = w.changes;
    if (w.rest === null && [...main.querySelectorAll('h3')].some(h => h.innerText.includes('5. Window by window')))
      w.rest = w.changes;
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, attributes: true});
  const frame = () => { check(); if (w.picture === null || w.rest === null) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}"""


def test_the_result_is_drawn_before_the_rest_of_the_page_arrives(server, page):
    """Issue 21 item 5: opened from the sidebar, Pooling's first screen (the pooled picture) is drawn
    before sections 5-9 arrive; sent together, Chromium built all of them first (the switch took
    572-635 ms at p95 to the first picture on a 2-core machine, 284-379 ms with the first screen first).
    On a warm server, as in the bench: a first visit computes the rest while the browser asks
    for the picture, and the server answers that request only once it is done."""
    open_via_sidebar(page, server, "Pooling", "5. Window by window")
    menu(page).get_by_text("Convolution", exact=True).click()
    page.get_by_text("2. Kernel", exact=True).wait_for()
    wait_idle(page)
    page.evaluate(WATCH_FIRST_SCREEN)
    menu(page).get_by_text("Pooling", exact=True).click()
    page.get_by_text("5. Window by window", exact=True).wait_for()
    wait_idle(page)
    seen = page.evaluate("() => window.__firstScreen")
    assert seen["picture"] is not None and seen["rest"] is not None, seen
    assert seen["picture"] < seen["rest"], f"the rest of the page arrived with or before the result: {seen}"
    assert_no_errors(page)

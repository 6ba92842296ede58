"""The Pooling page in Chromium: presets, window winners, the shift measure."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors
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

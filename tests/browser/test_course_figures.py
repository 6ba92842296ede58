"""What only a browser shows: the course's figures drawn as Vega-Lite charts (LeNet-5's C3
table, the Inception module, the windows-per-pixel maps) really render, with their text."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from explorer.learn import course_charts
from tests.browser.helpers import assert_no_errors, open_page, wait_idle

CHART = '[data-testid="stVegaLiteChart"]'


def pick_architecture(page, title: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text="Architecture").first
    box.click()
    page.keyboard.type(title)
    page.keyboard.press("Enter")
    wait_idle(page, 120_000)


def test_lenet_c3_table_and_inception_module_are_drawn(server, page):
    open_page(page, server, "architectures")
    pick_architecture(page, "LeNet-5")
    table = page.locator(CHART).filter(has_text="C3 map (output)")
    expect(table).to_be_visible(timeout=60_000)
    # one X per connected (S2 map, C3 map) pair of the paper's table: 60 of 96
    expect(table.locator("text").filter(has_text="X")).to_have_count(60)
    # Square cells of the size asked for, and every row numbered ("1" labels column 1 and row 1):
    # fitted inside the chart with its axes, the cells were 20 x 13 px and rows 1, 3 and 5 unnamed.
    cells = table.locator("g.mark-rect").first.bounding_box()
    side = course_charts.CONNECTION_CELL
    assert cells["width"] >= 16 * side - 2 and cells["height"] >= 6 * side - 2, cells
    for row in "135":
        expect(table.locator("text").filter(has_text=re.compile(f"^{row}$"))).to_have_count(2)
    expect(page.get_by_text("1,500 weights + 16 biases").first).to_be_attached()
    pick_architecture(page, "GoogLeNet")
    diagram = page.locator(CHART).filter(has_text="concatenate")
    expect(diagram).to_be_visible(timeout=60_000)
    for label in ("192x28x28", "64x28x28", "128x28x28", "256x28x28"):
        expect(diagram.locator("text").filter(has_text=label).first).to_be_attached()
    assert_no_errors(page)


def test_pooling_counts_windows_per_pixel(server, page):
    open_page(page, server, "pooling")
    overlap = page.locator(CHART).filter(has_text="3x3, stride 2")
    expect(overlap).to_be_visible(timeout=60_000)
    # 9x9 cells, 9 of them read by four windows
    expect(overlap.locator("text").filter(has_text="4")).to_have_count(9)
    # Square cells of the size asked for: a colour legend and the title, fitted inside the chart,
    # squeezed them to about 12 x 14 px.
    cells = overlap.locator("g.mark-rect").first.bounding_box()
    assert min(cells["width"], cells["height"]) >= 9 * course_charts.COUNT_CELL - 2, cells
    expect(page.get_by_text("36 pixels in 1 window, 36 pixels in 2 windows, 9 pixels in 4").first).to_be_attached()
    # Digits readable on their cells: white on the darkest oranges (the 4s here, every 1 of the
    # non-overlapping map), black elsewhere. Black on that dark brown was about 2-3:1.
    assert {fill(t) for t in overlap.locator("text").filter(has_text=re.compile("^4$")).all()} == {"white"}
    assert {fill(t) for t in overlap.locator("text").filter(has_text=re.compile("^[12]$")).all()} == {"black"}
    plain = page.locator(CHART).filter(has_text="2x2, stride 2")
    assert {fill(t) for t in plain.locator("text").filter(has_text=re.compile("^1$")).all()} == {"white"}
    assert_no_errors(page)


def fill(text) -> str:
    """An SVG text's colour as a name: white or black (Vega writes either as given or in hex)."""
    value = (text.get_attribute("fill") or "").lower()
    return {"#fff": "white", "#ffffff": "white", "#000": "black", "#000000": "black"}.get(value, value)

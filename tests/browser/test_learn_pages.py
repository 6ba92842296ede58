"""Browser click paths for the Architectures and 1-D convolution pages, and what a laptop's
first screen of Convolution, Pooling and Neurons shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_errors, open_page, wait_idle


def table_text(page: Page) -> str:
    """The text of the per-layer table's cells (the grid keeps an accessible copy in the DOM)."""
    cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]')
    expect(cells.first).to_be_attached()
    return " | ".join(cells.all_inner_texts())


def set_number(page: Page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)


def test_switch_architecture_and_input_size_changes_the_table(server, page):
    open_page(page, server, "architectures")
    # The per-layer table; the calculators' tables wait hidden in their tabs further down.
    page.get_by_test_id("stDataFrame").filter(visible=True).first.scroll_into_view_if_needed()
    expect(page.locator('[data-testid="stDataFrame"] [role="gridcell"]').first).to_be_attached()
    # LeNet-5 is the page's default (issue #14); VGG-16 one click away.
    page.get_by_test_id("stSelectbox").filter(has_text="Architecture").click()
    page.keyboard.type("VGG-16")  # the list is long: type to find it, as a student would
    page.get_by_role("option", name="VGG-16 (2014)").click()
    wait_idle(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')]
                 .some(c => c.innerText.includes('64 x 224 x 224'))""")
    assert "64 filters" in table_text(page)
    wait_idle(page)  # the page goes on below the table (notes, review table): a click mid-run is lost

    box = page.get_by_test_id("stSelectbox").filter(has_text="Architecture")
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type("LeNet-5 (1998)")
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_label("Input size (pixels)", exact=True)).to_have_value("32")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')]
                 .some(c => c.innerText.includes('PartialConv2d'))""")
    text = table_text(page)
    assert "16 x 10 x 10" in text and "1516" in text.replace(",", "")
    assert_no_errors(page)

    set_number(page, "Input size (pixels)", 64)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')]
                 .some(c => c.innerText.includes('6 x 60 x 60'))""")
    assert "16 x 26 x 26" in table_text(page)

    set_number(page, "Input size (pixels)", 12)
    warning = page.get_by_test_id("stAlertContentWarning")
    expect(warning).to_contain_text("too small")
    expect(warning).to_contain_text("PartialConv2d 5x5")
    expect(page.get_by_test_id("stAlertContentInfo")).to_contain_text("32x32")  # C5 needs 5x5 from S4
    assert_no_errors(page)


def test_echo_preset_plays_two_sounds(server, page):
    open_page(page, server, "convolution_1d")
    expect(page.get_by_test_id("stMetric").first).to_contain_text("0.5")  # triangle half way up
    page.get_by_role("button", name="▶ Play").click()
    wait_idle(page, timeout=60_000)
    expect(page.get_by_test_id("stMetric").first).to_contain_text("0.0000")  # g slid past f
    page.get_by_test_id("stButtonGroup").first.get_by_text("echo", exact=True).click()
    wait_idle(page)
    expect(page.locator("audio")).to_have_count(2)
    assert_no_errors(page)


# The drawn pictures of the page (not the previous one's) whose top is on the first screen.
FIRST_SCREEN_PICTURES = """() => [...document.querySelectorAll('[data-testid="stMain"] img')].filter(i =>
    !i.closest('[data-stale="true"]') && i.complete && i.naturalWidth > 0
    && i.getBoundingClientRect().top < window.innerHeight && i.getBoundingClientRect().height > 0).length"""


@pytest.mark.parametrize("title, ready", [("Convolution", "2. Kernel"), ("Pooling", "2. Pooling")])
def test_a_laptop_screen_shows_the_picture_without_scrolling(server, page, title, ready):
    """At 1400x900 the result is below the fold: section 1 shows the chosen picture small, so
    the first screen is not only controls (before, it had no picture at all)."""
    page.set_viewport_size({"width": 1400, "height": 900})
    open_page(page, server)
    page.locator(".st-key-app_menu").get_by_text(title, exact=True).click()
    page.get_by_text(ready, exact=True).wait_for()
    wait_idle(page)
    page.wait_for_function(f"({FIRST_SCREEN_PICTURES})() > 0")
    expect(page.get_by_test_id("stImage").filter(has_text="256x256 pixels")).to_be_in_viewport()
    assert_no_errors(page)


# The drawn charts of the page whose top is on the first screen.
FIRST_SCREEN_CHARTS = """() => [...document.querySelectorAll('[data-testid="stMain"] .vega-embed svg.marks,'
    + ' [data-testid="stMain"] .vega-embed canvas')].filter(c => !c.closest('[data-stale="true"]')
    && c.getBoundingClientRect().top < window.innerHeight && c.getBoundingClientRect().height > 0).length"""


def test_the_neurons_first_screen_shows_the_neuron_on_its_activation(server, page):
    """The Neurons page's first screen was inputs and formulas only; section 1 now draws the
    chosen activation with the neuron's (z, a) on it, and the chart follows the choice."""
    page.set_viewport_size({"width": 1400, "height": 900})
    open_page(page, server)
    page.locator(".st-key-app_menu").get_by_text("Neurons, layers, ReLU, dropout", exact=True).click()
    page.get_by_text("Your neuron on its activation").first.wait_for()
    page.wait_for_function(f"({FIRST_SCREEN_CHARTS})() > 0")
    wait_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="activation").click()
    page.get_by_role("option", name="tanh", exact=True).click()
    wait_idle(page)
    expect(page.get_by_test_id("stVegaLiteChart").first).to_contain_text("a = tanh(z)")
    assert page.evaluate(f"({FIRST_SCREEN_CHARTS})()") > 0
    assert_no_errors(page)

"""Issue #14, presenter mode at 1280x720 in Chromium: every Learn page's first screen shows its
visual (not only controls), with the sidebar folded away and every text on it >= 18 px."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import open_page, wait_idle
from tests.browser.test_student_paths import SMALL_TEXT

# The picture each Learn page is about, as the page draws it.
VISUALS = {
    "building_blocks": ".katex-display",  # the neuron's sum with the student's numbers
    "convolution": '[data-testid="stImage"]',  # the picture and its convolution
    "pooling": '[data-testid="stImage"]',  # the map and its pooled copy
    "convolution_1d": '[data-testid="stVegaLiteChart"]',  # f, g and their product at shift c
    "architectures": '[data-testid="stImage"]',  # the network's volumes
}

# Axis labels and titles, legends, chart titles on the first screen (Vega draws them as SVG text).
SMALL_CHART_TEXT = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg text')]
  .filter(t => t.textContent.trim() && t.getBoundingClientRect().top < innerHeight)
  .map(t => [parseFloat(getComputedStyle(t).fontSize), t.textContent.trim()])
  .filter(([px]) => px < 18)"""

TOP = """(sel) => { const e = document.querySelector('[data-testid="stMain"] ' + sel);
  return e ? e.getBoundingClientRect().top : null; }"""


def test_each_learn_page_shows_its_visual_on_the_first_screen(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        open_page(page, server)
        for path, visual in VISUALS.items():
            open_page(page, server, f"{path}?present=1")
            page.locator(f'[data-testid="stMain"] {visual}').first.wait_for()
            wait_idle(page)
            expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
            top = page.evaluate(TOP, visual)
            assert 0 <= top < 720 - 100, (path, top)  # at least 100 px of it on the first screen
            small = page.evaluate(SMALL_TEXT) + page.evaluate(SMALL_CHART_TEXT)
            assert not small, (path, small[:8])
    finally:
        context.close()

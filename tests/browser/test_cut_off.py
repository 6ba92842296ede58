"""Issue #14 in Chromium at 1400x900 and in presenter mode at 1280x720: no cut-off text in the
tables and charts a student reads (the layer builder, the comparison's charts and table) and no
table toolbar over the caption above it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors, open_page, wait_idle

BUILDER = "train?train_architecture=Build+your+own+%28layer+by+layer%29"  # the Train page's layer builder
SIZES = [pytest.param(1400, 900, "", id="1400x900"), pytest.param(1280, 720, "present=1", id="presenter-1280x720")]

# Tables (glide data grids) scroll sideways inside their box when their columns do not fit: the
# columns on the right are cut off until the student finds the scroll bar.
TABLE_OVERFLOW = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stDataFrame"] .dvn-scroller')]
  .filter(s => s.scrollWidth > s.clientWidth + 1)
  .map(s => s.scrollWidth + '>' + s.clientWidth)"""

# Chart texts Vega shortened with an ellipsis, or drawn past the chart's own box.
CHART_CLIPPED = """() => { const out = [];
  for (const svg of document.querySelectorAll('[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg.marks')) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim()) continue;
      if (t.textContent.includes('…') || r.left < box.left - 1 || r.right > box.right + 1)
        out.push(t.textContent);
    }
  }
  return out; }"""


def _open(browser, server, width, height, path):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    open_page(page, server)
    open_page(page, server, path)
    return context, page


@pytest.mark.parametrize("width,height,query", SIZES)
def test_the_layer_builder_tables_show_every_column(server, browser, width, height, query):
    context, page = _open(browser, server, width, height, BUILDER + "&" + query)
    try:
        # The shapes table on the photos; on the 8x8 bundled digits (no archive here) a warning.
        expect(page.get_by_text(re.compile("All shapes fit|does not fit")).first).to_be_visible(timeout=60_000)
        wait_idle(page)
        expect(page.locator('[data-testid="stMain"] [data-testid="stDataFrame"] .dvn-scroller').first).to_be_visible()
        assert page.evaluate(TABLE_OVERFLOW) == []
        assert_no_errors(page)
    finally:
        context.close()


def test_the_comparison_charts_and_table_show_every_label(server, browser):
    """The course's baselines and a plain MLP measured on the bundled digits, then read at
    1400x900 and in presenter mode at 1280x720."""
    context, page = _open(browser, server, 1400, 900, "baselines")
    try:
        page.get_by_test_id("stRadio").get_by_text("Handwritten digits (bundled, 8x8)").click()
        wait_idle(page, 120_000)
        page.get_by_role("button", name=re.compile(r"Train and measure \d model")).click()
        expect(page.get_by_role("button", name=re.compile("Measure again"))).to_be_visible(timeout=240_000)
        wait_idle(page)
        link = page.url
        for width, height, query in ((1400, 900, ""), (1280, 720, "&present=1")):
            if query:
                page.set_viewport_size({"width": width, "height": height})
                open_page(page, server, link.split("/", 3)[3] + query)
            expect(page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]')).to_have_count(2)
            page.wait_for_timeout(500)  # the charts' texts are drawn after their box
            assert page.evaluate(TABLE_OVERFLOW) == [], (width, height)
            assert page.evaluate(CHART_CLIPPED) == [], (width, height)
        assert_no_errors(page)
    finally:
        context.close()


# Each line of text in the main area, as drawn (a Range's client rects: the glyphs' boxes, not
# the element's): a toolbar over the blank end of a short line hides nothing.
TEXT_UNDER = """(t) => { const out = [];
  const walker = document.createTreeWalker(document.querySelector('[data-testid="stMain"]'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || node.parentElement.closest('[data-testid="stElementToolbar"]')) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    for (const r of range.getClientRects())
      if (r.right > t.x && r.left < t.x + t.width && r.bottom > t.y && r.top < t.y + t.height)
        out.push(node.textContent.trim().slice(0, 40));
  }
  return out; }"""


@pytest.mark.parametrize("path", ["convolution", BUILDER], ids=["kernel", "layer-builder"])
@pytest.mark.parametrize("width,height,query", SIZES)
def test_a_table_toolbar_hides_no_text(server, browser, path, width, height, query):
    joined = path + ("&" if "?" in path else "?") + query if query else path
    context, page = _open(browser, server, width, height, joined)
    try:
        editor = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
        editor.scroll_into_view_if_needed()
        editor.hover()
        toolbar = page.locator('[data-testid="stMain"] [data-testid="stElementToolbar"]').first
        expect(toolbar).to_be_visible()
        page.wait_for_timeout(300)  # the toolbar fades in
        assert page.evaluate(TEXT_UNDER, toolbar.bounding_box()) == []
    finally:
        context.close()


# Buttons whose label Streamlit shortened with an ellipsis (their text box scrolls).
CUT_BUTTONS = """() => [...document.querySelectorAll('[data-testid="stMain"] button')]
  .filter(b => b.offsetParent)
  .flatMap(b => [...b.querySelectorAll('p, div')].filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(() => b.textContent))"""


@pytest.mark.parametrize("width,height,query", SIZES)
def test_the_course_examples_show_their_whole_labels(server, browser, width, height, query):
    context, page = _open(browser, server, width, height, "convolution" + ("?" + query if query else ""))
    try:
        button = page.get_by_role("button", name=re.compile("32x32x3, 5x5x3 filters"))
        expect(button.first).to_be_visible()
        button.first.scroll_into_view_if_needed()
        assert page.evaluate(CUT_BUTTONS) == []
    finally:
        context.close()

"""Issue #14 in Chromium at 1400x900 and in presenter mode at 1280x720: no cut-off text in the
tables, charts and buttons a student reads (the kernel editor, the course's worked examples,
the layer builder, the comparison's charts and table) and no table toolbar over the text above
its table."""

from __future__ import annotations

import io
import re

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors, open_page, wait_idle

BUILDER = "train?train_architecture=Build+your+own+%28layer+by+layer%29"  # the Train page's layer builder
SIZES = ((1400, 900, ""), (1280, 720, "present=1"))

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

# Buttons whose label Streamlit shortened with an ellipsis (their text box scrolls).
CUT_BUTTONS = """() => [...document.querySelectorAll('[data-testid="stMain"] button')]
  .filter(b => b.offsetParent)
  .flatMap(b => [...b.querySelectorAll('p, div')].filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(() => b.textContent))"""


def at_both_sizes(page, server, path: str):
    """Open `path` at 1400x900, then in presenter mode at 1280x720; yields (width, height)."""
    open_page(page, server)
    for width, height, query in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        open_page(page, server, path + (("&" if "?" in path else "?") + query if query else ""))
        yield width, height


def toolbar_hides(page) -> list[str]:
    """Hover the first table and list the text its toolbar covers."""
    table = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    table.hover()
    toolbar = page.locator('[data-testid="stMain"] [data-testid="stElementToolbar"]').first
    expect(toolbar).to_be_visible()
    page.wait_for_timeout(300)  # the toolbar fades in
    return page.evaluate(TEXT_UNDER, toolbar.bounding_box())


def test_the_kernel_editor_and_the_worked_examples(server, page):
    for size in at_both_sizes(page, server, "convolution"):
        assert toolbar_hides(page) == [], size
        examples = page.get_by_role("button", name=re.compile("32x32x3, 5x5x3 filters"))
        examples.first.scroll_into_view_if_needed()
        assert page.evaluate(CUT_BUTTONS) == [], size


def test_the_layer_builder_tables(server, page):
    for size in at_both_sizes(page, server, BUILDER):
        # The shapes table on the photos; on the 8x8 bundled digits (no archive here) a warning.
        expect(page.get_by_text(re.compile("All shapes fit|does not fit")).first).to_be_visible(timeout=60_000)
        wait_idle(page)
        expect(page.locator('[data-testid="stMain"] [data-testid="stDataFrame"] .dvn-scroller').first).to_be_visible()
        assert page.evaluate(TABLE_OVERFLOW) == [], size
        assert toolbar_hides(page) == [], size
        assert_no_errors(page)


def assert_nothing_cut_off(page, server) -> None:
    """The comparison's charts and table, read at 1400x900 and in presenter mode at 1280x720
    (called by the browser test that runs a comparison)."""
    link = page.url.split("/", 3)[3]
    for width, height, query in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        open_page(page, server, link + ("&" if "?" in link else "?") + query if query else link)
        expect(page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]')).to_have_count(2)
        options = page.get_by_test_id("stExpander").filter(has_text="Options used (the course's)")
        options.locator("summary").click()  # the calls behind each model
        expect(options.get_by_test_id("stExpanderDetails")).to_be_visible()
        page.wait_for_timeout(500)  # the charts' texts are drawn after their box
        assert page.evaluate(TABLE_OVERFLOW) == [], (width, height)
        assert page.evaluate(CHART_CLIPPED) == [], (width, height)


def test_the_architectures_charts(server, page):
    """The Architectures page's charts: LeNet-5's C3 table had its row title ("S2 map (input)")
    and the receptive-field grid its row labels ("layer 1", "layer 2") drawn past the chart's
    left edge, their first letters cut off."""
    for size in at_both_sizes(page, server, "architectures"):
        page.get_by_role("tab", name="Receptive field").click()
        chart = page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]').last
        expect(chart).to_be_visible()
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # the chart's texts are drawn after its box
        assert page.evaluate(CHART_CLIPPED) == [], size



def text_at_the_right_edge(grid) -> int:
    """Dark pixels in the last 8 px inside a grid's right border: a cell's text drawn up to the
    edge, cut off there (a glide grid draws its cells on a canvas; text ends 8 px from a column's
    edge when it fits)."""
    grey = np.asarray(Image.open(io.BytesIO(grid.screenshot())).convert("L"))
    return int((grey[:, -9:-2] < 140).sum())


def test_the_imagenet_review_shows_every_column(server, page):
    """The ImageNet review's last column (the course's own words) ran past the grid's edge at
    1400x900: AlexNet's figures were cut off after "(next best 26". Those words are now under
    the table, whole; every column of the table fits, in presenter mode too."""
    for size in at_both_sizes(page, server, "architectures"):
        review = page.locator('[data-testid="stMain"]').get_by_test_id(re.compile("^(stDataFrame|stTable)$")).filter(
            has=page.get_by_text("Top-5 error (%)"))
        review.scroll_into_view_if_needed()
        expect(review).to_be_visible()
        page.wait_for_timeout(500)  # the grid draws its cells after its box
        assert page.evaluate(TABLE_OVERFLOW) == [], size
        assert text_at_the_right_edge(review) == 0, size
        alexnet = re.compile(r"AlexNet: top-5 error 15.4% \(ILSVRC 2012; the next best entry 26.2%\)")
        expect(page.get_by_text(alexnet)).to_be_visible()

"""Issue #14, presenter mode at 1280x720 in Chromium: every Learn page's first screen shows its
visual (not only controls), with the sidebar folded away and every text on it >= 18 px."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import open_page, wait_idle
from tests.browser.test_student_paths import SMALL_TEXT

# The picture each Learn page is about, as the page draws it.
VISUALS = {
    "building_blocks": '[data-testid="stVegaLiteChart"]',  # the neuron on its activation, with the student's numbers
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


def test_each_learn_page_shows_its_visual_on_the_first_screen(server, projector):
    open_page(projector, server)
    for path, visual in VISUALS.items():
        open_page(projector, server, f"{path}?present=1")
        projector.locator(f'[data-testid="stMain"] {visual}').first.wait_for()
        wait_idle(projector)
        expect(projector.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
        top = projector.evaluate(TOP, visual)
        assert 0 <= top < 720 - 100, (path, top)  # at least 100 px of it on the first screen
        small = projector.evaluate(SMALL_TEXT) + projector.evaluate(SMALL_CHART_TEXT)
        assert not small, (path, small[:8])


# Every table's cells and headings that are smaller than 18 px, or wider than their box (a
# glide grid draws on a canvas at 13 px, and scrolls sideways when its columns do not fit).
TABLE_PROBLEMS = """() => { const out = [];
  for (const grid of document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]'))
    if (grid.offsetParent) out.push('a canvas grid: 13 px text');
  for (const t of document.querySelectorAll('[data-testid="stMain"] [data-testid="stTable"]')) {
    if (!t.offsetParent) continue;
    const table = t.querySelector('table');
    if (table.getBoundingClientRect().width > t.getBoundingClientRect().width + 1) out.push('wider than its box');
    for (const c of t.querySelectorAll('th p, td p'))
      if (parseFloat(getComputedStyle(c).fontSize) < 18) out.push(getComputedStyle(c).fontSize + ' ' + c.textContent);
  }
  return out; }"""


def test_tables_are_read_from_the_back_of_the_room(server, projector):
    """Architectures in presenter mode at 1280x720: the layer table and the ImageNet review in
    >= 18 px text (a grid drew them at 13 px), each within its box."""
    open_page(projector, server, "architectures?present=1")
    review = projector.get_by_test_id("stTable").filter(has_text="Top-5 error (%)")
    review.scroll_into_view_if_needed()
    expect(review).to_contain_text("60,965,224")  # AlexNet's parameters, thousands separated
    expect(projector.get_by_test_id("stTable").filter(has_text="Output shape")).to_be_visible()
    wait_idle(projector)
    assert projector.evaluate(TABLE_PROBLEMS) == []


METRIC_SIZES = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')].map(m => [
  parseFloat(getComputedStyle(m.querySelector('[data-testid="stMetricLabel"] p')).fontSize),
  parseFloat(getComputedStyle(m.querySelector('[data-testid="stMetricValue"] p')).fontSize)])"""


def test_a_metric_value_stands_out_from_its_label(server, projector):
    """Datasets in presenter mode: each metric's number is drawn larger than its label. The
    projected markdown size (1.3rem) also caught the number's paragraph, so the number was
    drawn at 20.8 px, as small as the label (Train page results, a screenshot at 1280x720)."""
    open_page(projector, server, "datasets?present=1")
    expect(projector.get_by_test_id("stMetricValue").first).to_be_visible()
    sizes = projector.evaluate(METRIC_SIZES)
    assert sizes and all(value >= 1.5 * label for label, value in sizes), sizes


# Every SVG text of the chart titled `title`: [font px, text, inside the chart's SVG box].
CHART_TEXTS = """(title) => {
  const chart = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stVegaLiteChart"]')]
    .find(c => c.textContent.includes(title));
  if (!chart) return null;
  const box = chart.querySelector('svg').getBoundingClientRect();
  return [...chart.querySelectorAll('svg text')].filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect();
    return [parseFloat(getComputedStyle(t).fontSize), t.textContent.trim(),
            r.left >= box.left - 1 && r.right <= box.right + 1];
  });
}"""


def test_a_bars_value_is_read_from_the_back_of_the_room(server, projector):
    """Architectures' calculators in presenter mode at 1280x720: the values at the bars' ends
    (2,097,664 and 320) at 18 px like the axes, inside the chart (they were 11 px), and the bars'
    names whole."""
    open_page(projector, server, "architectures?present=1")
    title = "6,555 times fewer parameters"
    chart = projector.get_by_test_id("stVegaLiteChart").filter(has_text=title)
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    wait_idle(projector)
    texts = projector.evaluate(CHART_TEXTS, title)
    values = {text: (px, inside) for px, text, inside in texts if text in ("2,097,664", "320")}
    assert set(values) == {"2,097,664", "320"}, texts
    assert all(px >= 18 and inside for px, inside in values.values()), values
    # The bottleneck calculator's bars are named in full at 18 px (Vega cut "1x1 to 16, t…").
    projector.get_by_role("tab", name="Inception 1x1 bottleneck").click()
    wait_idle(projector)
    texts = projector.evaluate(CHART_TEXTS, "multiplications (millions)")
    names = sorted(t for _, t, _ in texts if "x5" in t and "convolution" not in t)
    assert names == ["1x1 to 16, then 5x5", "5x5 directly"], texts


TAG_SIZES = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stMultiSelectTagsContainer"] span')]
  .filter(s => [...s.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(s => [parseFloat(getComputedStyle(s).fontSize), s.textContent.trim()])"""
# One-digit chart texts (the class names beside the bars): [text, px, drawn (not hidden by Vega)].
DIGIT_LABELS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg text')]
  .filter(t => /^[0-9]$/.test(t.textContent.trim()))
  .map(t => [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize),
             getComputedStyle(t).opacity !== '0' && t.getAttribute('opacity') !== '0'])"""


def test_class_counts_and_chosen_models_are_read_from_the_back_of_the_room(server, projector):
    """Datasets: every class named at 18 px beside its bar (st.bar_chart kept 12 px, and at 18 px
    Vega hid every other class in its rows). CNN vs classical ML: the chosen models' tags at 18 px
    (14 px: the multiselect's tags escaped the presenter style)."""
    open_page(projector, server, "datasets?present=1")
    chart = projector.get_by_test_id("stVegaLiteChart").filter(has_text="images")
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    wait_idle(projector)
    labels = projector.evaluate(DIGIT_LABELS)
    shown = {text for text, px, visible in labels if px >= 18 and visible}
    assert set("0123456789") <= shown, labels
    open_page(projector, server, "baselines?present=1")
    expect(projector.get_by_test_id("stMultiSelect")).to_be_visible()
    tags = projector.evaluate(TAG_SIZES)
    assert tags and all(px >= 18 for px, _ in tags), tags

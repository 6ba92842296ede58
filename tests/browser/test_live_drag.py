"""Results that follow a dragged slider (issue 21): the output redraws while the mouse button is
still down, with the numbers explorer computes, and the address follows when it is let go."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from explorer.data import images, samples
from explorer.learn import convolution, kernels, pooling
from explorer.ui import pooling_views
from tests.browser.helpers import assert_no_errors, wait_idle
from tests.browser.learn_helpers import open_via_sidebar

# What a live view shows: state, caption, explanation and (while live) the numbers it drew.
LIVE = """(target) => {
    const host = [...document.querySelectorAll(`.st-key-${target} *`)].find(e => e.shadowRoot);
    const root = host && host.shadowRoot.querySelector('.live-map');
    if (!root) return null;
    const canvas = root.querySelector('canvas');
    return {state: root.dataset.state, caption: root.querySelector('.live-caption').textContent,
            problem: root.querySelector('.live-problem').textContent, result: root.liveResult,
            width: canvas.hidden ? null : canvas.getBoundingClientRect().width};
}"""


def shapes() -> np.ndarray:
    """The pages' default picture: the 'shapes' sample, grey, (1, 256, 256) in [0, 1]."""
    return images.to_array(samples.load("shapes"), channels=1)


def drag(page: Page, key: str, targets: list[str], moves: int = 24, back: bool = False) -> list[dict]:
    """Hold the thumb of slider `key` and move it to the end of its track (the start when
    `back`) in small steps, reading the live views in `targets` after each step (before the
    button is let go)."""
    page.locator(f".st-key-{key}").scroll_into_view_if_needed()
    thumb = page.locator(f'.st-key-{key} input[type="range"]').locator("xpath=..").bounding_box()
    track = page.locator(f'.st-key-{key} [data-testid="stSlider"]').bounding_box()
    x0, y = thumb["x"] + thumb["width"] / 2, thumb["y"] + thumb["height"] / 2
    right = track["x"] + 4 if back else track["x"] + track["width"] - 4
    page.mouse.move(x0, y)
    page.mouse.down()
    seen = []
    for k in range(1, moves + 1):
        page.mouse.move(x0 + (right - x0) * k / moves, y)
        page.wait_for_timeout(40)
        seen.append({t: page.evaluate(LIVE, t) for t in targets})
    page.mouse.up()
    return seen


def sizes(seen: list[dict], target: str) -> list[str]:
    """The distinct output sizes a live view drew, in order."""
    out = []
    for s in seen:
        v = s[target]
        m = v and v["state"] == "live" and re.search(r"\d+x\d+", v["caption"])
        if m and (not out or out[-1] != m.group()):
            out.append(m.group())
    return out


def live_numbers(seen: list[dict], target: str, settings: str) -> np.ndarray:
    """The first map a live view drew for `settings` (its table key, e.g. '3|3|0|1')."""
    for s in seen:
        r = s[target] and s[target]["result"]
        if r and r.get("settings") == settings and "maps" in r:
            return np.array(r["maps"][0]).reshape(r["h"], r["w"])
    raise AssertionError(f"no live drawing for {settings} in {[s[target] and s[target]['state'] for s in seen]}")


def test_convolution_output_and_step_grid_follow_a_stride_drag(server, page):
    open_via_sidebar(page, server, "Convolution", "3. Stride, padding, dilation → output size")
    page.get_by_role("radio", name=re.compile("Step by step")).click()
    page.get_by_text("Receptive field of output").wait_for()
    wait_idle(page)
    seen = drag(page, "convolution_stride", ["convolution_output", "convolution_step_output"])
    # Several sizes drawn while the button was down, not one after it was let go.
    picture = sizes(seen, "convolution_output")
    assert len(picture) >= 3 and "85x85" in picture, picture
    assert len(sizes(seen, "convolution_step_output")) >= 2  # the 7x7 step grid: 5x5, 3x3, 2x2...
    # The browser's numbers are explorer's: Sobel x over the sample at stride 3 and stride 5.
    x, sobel = shapes(), kernels.make("sobel x", 3)
    for stride in (3, 5):
        expected = convolution.conv2d(x, sobel[None], stride)
        got = live_numbers(seen, "convolution_output", f"3|{stride}|0|1")
        np.testing.assert_allclose(got, expected, atol=1e-4)
    # Let go: the server draws the last value and the address holds it.
    expect(page).to_have_url(re.compile(r"convolution_stride=5"))
    expect(page.get_by_test_id("stImage").filter(has_text="Output 51x51")).to_be_visible()
    expect(page.locator(".st-key-convolution_output [data-testid='stImage']")).to_be_visible()
    page.wait_for_function(f"() => ({LIVE})('convolution_output')?.state === 'rest'")  # the live view folds away
    # Padding at stride 5: numbers with zeros around the picture, and 'same' explained.
    wait_idle(page)
    seen = drag(page, "convolution_padding", ["convolution_output"], moves=14)
    np.testing.assert_allclose(live_numbers(seen, "convolution_output", "3|5|2|1"),
                               convolution.conv2d(x, sobel[None], 5, 2), atol=1e-4)
    problems = [s["convolution_output"]["problem"] for s in seen if s["convolution_output"]]
    assert any("only with stride 1" in p for p in problems), problems
    assert_no_errors(page)


def test_pooling_follows_a_padding_drag_and_explains_an_impossible_one(server, page):
    open_via_sidebar(page, server, "Pooling", "3. Output size")
    expect(page.get_by_text("Max pooled 128x128", exact=False)).to_be_visible()
    seen = drag(page, "pooling_padding", ["pooling_output", "pooling_window_output"], moves=16)
    assert "129x129" in sizes(seen, "pooling_output")  # 2x2 windows, stride 2, padding 1
    # Padding 2 with 2x2 windows: the page's own explanation while the button is still down.
    problems = [s["pooling_output"]["problem"] for s in seen if s["pooling_output"]]
    assert any("at most half the window size" in p for p in problems), problems
    fmap = convolution.relu(convolution.conv2d_per_channel(shapes(), kernels.make("sobel x", 3)[None].astype(np.float32),
                                                           1, "same").sum(axis=0))
    got = live_numbers(seen, "pooling_output", "2|2|1")
    np.testing.assert_allclose(got, pooling.pool2d(fmap, 2, 2, "max", 1), atol=1e-4)
    # The window-by-window output drawn live keeps the cell size of the server's grid chart.
    grids = [s["pooling_window_output"] for s in seen if s["pooling_window_output"]
             and s["pooling_window_output"]["state"] == "live" and s["pooling_window_output"]["width"]]
    assert grids
    for g in grids:
        h, w = g["result"]["h"], g["result"]["w"]
        assert g["width"] == pytest.approx(w * pooling_views.OUTPUT_CELLS.size(max(h, w)), abs=1), g
    expect(page).to_have_url(re.compile(r"pooling_padding=3"))
    expect(page.get_by_text("at most half the window size").first).to_be_visible()
    # From the impossible setting back to a valid one: drawn while dragging there too.
    wait_idle(page)
    back = drag(page, "pooling_padding", ["pooling_output"], moves=16, back=True)
    assert "129x129" in sizes(back, "pooling_output")
    expect(page).not_to_have_url(re.compile(r"pooling_padding="))
    expect(page.get_by_text("Max pooled 128x128", exact=False)).to_be_visible()
    assert_no_errors(page)


# While a grid is drawn live: its numbers and, 4 px inside each cell's corner, the colour drawn.
LIVE_GRID = """(target) => {
    const host = [...document.querySelectorAll(`.st-key-${target} *`)].find(e => e.shadowRoot);
    const root = host && host.shadowRoot.querySelector('.live-map');
    const r = root && root.liveResult;
    if (!r || !r.maps || root.dataset.state !== 'live' || root.dataset.view !== 'grid') return null;
    const canvas = root.querySelector('canvas');
    const box = canvas.getBoundingClientRect();
    if (canvas.hidden || !box.width) return null;
    const ratio = canvas.width / box.width, cell = box.width / r.w, ctx = canvas.getContext('2d');
    const colours = [];
    for (let i = 0; i < r.h; i++) for (let j = 0; j < r.w; j++) {
        const d = ctx.getImageData(Math.floor((j * cell + 4) * ratio), Math.floor((i * cell + 4) * ratio), 1, 1).data;
        colours.push([d[0], d[1], d[2]]);
    }
    return {settings: r.settings, h: r.h, w: r.w, values: Array.from(r.maps[0]), colours};
}"""
# The fill of every cell of the server's grid chart (Vega's SVG), in the chart's row-major order.
CHART_FILLS = """(key) => {
    const cells = document.querySelector(`.st-key-${key} svg g.mark-rect`);
    return cells ? [...cells.querySelectorAll('path')].map(p => p.getAttribute('fill')) : [];
}"""


def _rgb(fill: str) -> list[int]:
    if fill.startswith("#"):
        return [int(fill[k:k + 2], 16) for k in (1, 3, 5)]
    return [int(float(v)) for v in re.findall(r"[\d.]+", fill)[:3]]


def test_the_step_grid_keeps_its_colours_when_the_drag_ends(server, page):
    """The grid drawn while the padding slider is held and the server's chart that replaces it
    on release colour each number alike, as the pictures do (blue, white, red)."""
    from explorer.pictures import colormaps

    open_via_sidebar(page, server, "Convolution", "3. Stride, padding, dilation → output size")
    page.get_by_role("radio", name=re.compile("Step by step")).click()
    page.get_by_text("Receptive field of output").wait_for()
    wait_idle(page)
    live = []
    page.locator(".st-key-convolution_padding").scroll_into_view_if_needed()
    for s in drag(page, "convolution_padding", ["convolution_step_output"], moves=14):
        grid = page.evaluate(LIVE_GRID, "convolution_step_output")
        if grid:
            live.append(grid)
    assert live, "no grid drawn while the slider was held"
    last = live[-1]
    values = np.array(last["values"]).reshape(last["h"], last["w"])
    assert values.min() < 0 < values.max()  # both ends of the blue-white-red scale
    expected = colormaps.auto(values).reshape(-1, 3).astype(int)
    drawn = np.array(last["colours"])
    assert np.abs(drawn - expected).max() <= 2, (drawn, expected)
    # Let go: the server's chart of the same settings, cell by cell the same colours.
    page.wait_for_function(f"() => ({CHART_FILLS})('convolution_cell_chart').length === {values.size}")
    wait_idle(page)
    fills = np.array([_rgb(f) for f in page.evaluate(CHART_FILLS, "convolution_cell_chart")])
    assert np.abs(fills - drawn).max() <= 3, (fills, drawn)
    assert_no_errors(page)


def test_the_live_grid_writes_numbers_as_the_servers_grid(page):
    """live_map.js's cellText, run in Chromium, against grid_charts.cell_text: the live grid and
    the server's chart write each number alike (at most 5 characters, inside its cell)."""
    from pathlib import Path

    from explorer.learn import grid_charts

    source = (Path(__file__).resolve().parents[2] / "explorer" / "ui" / "live_map.js").read_text()
    function = re.search(r"^function cellText\(v\) \{.*?^\}", source, re.S | re.M).group()
    rng = np.random.default_rng(1)
    values = [0.0, -0.0004, -0.03, -3.0, 0.9, -1.2345, 9.994, -9.996, -79.29, -99.96, 812.6, -7929.4, 9999.6, 12345.6,
              -2e20]
    values += (rng.choice([-1, 1], 300) * 10.0 ** rng.uniform(-4, 12, 300)).tolist()
    written = page.evaluate(f"(values) => {{ {function}; return values.map(cellText); }}", values)
    assert written == [grid_charts.cell_text(v) for v in values]

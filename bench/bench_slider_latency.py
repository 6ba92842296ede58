"""Slider-to-redrawn-result latency of the Convolution page in Chromium.

A private `streamlit run` (tests/browser/conftest.start_server) and Debian's Chromium; the
stride slider is moved by keyboard 30 times (1 -> 2 -> 1 ...) and each move is timed from the
key press until the output picture with the new size has been drawn (caption changed, new
image loaded). Two set-ups: the default drawing (256x256 grey) and an RGB photo (342x512)
with an 11x11 kernel. Target: p95 <= 300 ms.

    python -m bench.bench_slider_latency [--moves 30]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402
from tests.browser.helpers import open_page, wait_idle  # noqa: E402
from tests.browser.learn_helpers import slider  # noqa: E402

TARGET_P95_MS = 300.0
OUTPUT_CAPTION = """() => {
    const box = [...document.querySelectorAll('[data-testid="stImage"]')]
        .find(e => e.innerText.includes('Output '));
    if (!box) return null;
    const img = box.querySelector('img');
    return (img && img.complete && img.naturalWidth > 0) ? box.innerText + '|' + img.src : null;
}"""


def drawn(page: Page) -> str:
    """Caption + image URL of the output picture once it is fully loaded."""
    handle = page.wait_for_function(OUTPUT_CAPTION, polling="raf")
    return handle.json_value()


def measure(page: Page, moves: int) -> list[float]:
    thumb = slider(page, "Stride")
    thumb.focus()
    before = drawn(page)
    times = []
    for n in range(moves):
        key = "ArrowRight" if n % 2 == 0 else "ArrowLeft"
        t = time.perf_counter()
        page.keyboard.press(key)
        page.wait_for_function(
            f"(prev) => {{ const v = ({OUTPUT_CAPTION})(); return v && v.split('|')[0] !== prev.split('|')[0] && v; }}",
            arg=before, polling="raf", timeout=30_000)
        times.append((time.perf_counter() - t) * 1000)
        before = drawn(page)
        wait_idle(page)
    return times


def setup_photo(page: Page) -> None:
    page.get_by_text("RGB", exact=True).click()
    wait_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Sample").click()
    page.get_by_role("option", name="A flower").click()
    wait_idle(page)
    size = slider(page, "Size")
    size.focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    wait_idle(page)
    page.get_by_text("Output 332x502").wait_for(timeout=60_000)


def report(name: str, times: list[float]) -> None:
    q = statistics.quantiles(times, n=20)
    p50, p95 = statistics.median(times), q[18]
    ok = "ok" if p95 <= TARGET_P95_MS else "over"
    print(f"{name:<34} | {len(times):>5} | {p50:>7.0f} ms | {p95:>7.0f} ms | {max(times):>7.0f} ms | {ok}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    args = parser.parse_args()
    proc, url = start_server(Path(tempfile.mkdtemp(prefix="bench-")))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            open_page(page, url)
            page.get_by_test_id("stSidebarNav").get_by_text("Convolution", exact=True).click()
            page.get_by_text("Input 256x256").wait_for()
            wait_idle(page)
            print(f"{'set-up':<34} | moves |     p50 |     p95 |     max | target p95 <= {TARGET_P95_MS:.0f} ms")
            print("-" * 95)
            report("drawing 256x256 grey, 3x3", measure(page, args.moves))
            setup_photo(page)
            report("photo 342x512 RGB, 11x11", measure(page, args.moves))
            browser.close()
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()

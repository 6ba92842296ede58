"""How fast the app opens: server start to healthy, then Home rendered in Chromium.

Each visit uses a fresh browser context (a new student). Usage: python -m bench.bench_home
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import median, percentile, table


def main(visits: int = 10) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import (
        CHROMIUM,
        CHROMIUM_ARGS,
        start_server,
        stop_server,
    )
    from tests.browser.helpers import wait_idle

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        proc, url = start_server(Path(tmp))
        healthy = time.monotonic() - t0
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                times = []
                for _ in range(visits):
                    ctx = browser.new_context()
                    page = ctx.new_page()
                    t = time.monotonic()
                    page.goto(url)
                    page.get_by_role("heading", name="CNN Explorer").wait_for()
                    wait_idle(page)
                    times.append(time.monotonic() - t)
                    ctx.close()
                browser.close()
        finally:
            stop_server(proc)
    rows = [
        ["server start -> /_stcore/health ok", f"{healthy:.2f} s", ""],
        ["first Home render (cold caches)", f"{times[0]:.2f} s", ""],
        [f"Home render, fresh context, n={visits}", f"p50 {median(times):.2f} s", f"p95 {percentile(times, 95):.2f} s"],
        ["server start + first Home render", f"{healthy + times[0]:.2f} s", "target < 5 s"],
    ]
    table("Opening the app in Chromium", ["what", "time", ""], rows)


if __name__ == "__main__":
    main()

"""Take the README's screenshot from the running app, so it shows what the app shows today:

    python -m tests.browser.screenshot [page] [out.png]

Needs the test dependencies and Chromium (README, command 2). The server runs as a user's
would: all cores for torch (the tests' own servers use one thread), the Sign Language Digits
archive where the tests find it. It waits until the sidebar names the training device.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, start_server, stop_server
from tests.browser.helpers import open_page, wait_idle

SIZE = {"width": 1280, "height": 1000}


def main(url_path: str = "", out: str = str(ROOT / "assets" / "screenshot-home.png")) -> None:
    from playwright.sync_api import sync_playwright

    cores = str(os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp), {"CNN_EXPLORER_THREADS": cores, "OMP_NUM_THREADS": cores})
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport=SIZE)
                open_page(page, url, url_path)
                sidebar = page.get_by_test_id("stSidebar")
                sidebar.get_by_text("Training device:").wait_for()
                page.wait_for_function(  # the probe's answer, not "checking…"
                    "() => !document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes('checking')",
                    timeout=60_000)
                wait_idle(page)
                page.screenshot(path=out)
                browser.close()
        finally:
            stop_server(proc)
    print(f"saved {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])

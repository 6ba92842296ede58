"""Take the README's screenshot from the running app, so it shows what the app shows today:

    python -m tests.browser.screenshot [page] [out.png]

Needs the test dependencies and Chromium (README, command 2). The server runs as a user's
would: all cores for torch (the tests' own servers use one thread), the Sign Language Digits
archive where the tests find it. It waits until the sidebar names the training device and the
page's run has ended (up to 5 minutes: a first run of a heavy page on a busy machine).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, start_server, stop_server
from tests.browser.helpers import open_page, wait_idle

SIZE = {"width": 1280, "height": 1000}
WAIT_MS = 300_000
# The sidebar names the training device (the probe's answer, not "checking…"). textContent, not
# innerText: presenter mode folds the sidebar away and innerText skips hidden text.
DEVICE_SHOWN = """() => { const s = document.querySelector('[data-testid="stSidebar"]');
  return !!s && s.textContent.includes('Training device:') && !s.textContent.includes('checking'); }"""


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
                # One wait on the app's state with room for a slow page: the Fooling page's first run
                # attacks the whole test split, and a 30 s wait for the sidebar's text timed out.
                page.wait_for_function(DEVICE_SHOWN, timeout=WAIT_MS)
                wait_idle(page, WAIT_MS)
                page.screenshot(path=out)
                browser.close()
        finally:
            stop_server(proc)
    print(f"saved {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])

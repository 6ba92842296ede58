"""Take the README's screenshot: `python -m tests.browser.screenshot [page] [out.png]`."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    start_server,
    stop_server,
)
from tests.browser.helpers import open_page


def main(url_path: str = "", out: str = str(ROOT / "assets" / "screenshot-home.png")) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                open_page(page, url, url_path)
                page.screenshot(path=out)
                browser.close()
        finally:
            stop_server(proc)
    print(f"saved {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])

"""Screenshots of every page as a student and a presenter first meet it (issue #14).

    python -m tests.browser.screenshots [out_dir] [--sign-digits]

Starts `streamlit run` on a fresh data folder holding one saved model (FastNet trained for two
epochs on the bundled digits, or on Sign Language Digits with --sign-digits when the archive
is here), then saves for every page of the navigation:
  <out>/<page>-1400x900.png          the first screen at 1400x900
  <out>/<page>-1400x900-full.png     the whole page
  <out>/<page>-presenter-1280x720.png  presenter mode (?present=1) at 1280x720, first screen
Look at them: this script checks nothing by itself.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, start_server, stop_server
from tests.browser.helpers import open_page, wait_idle

OUT = ROOT / "tests" / "artifacts" / "screenshots"


def url_paths() -> list[str]:
    from explorer.ui.navigation import PAGES, existing

    paths = []
    for section in PAGES:
        for path, *_ in existing(section):
            name = Path(path).stem
            paths.append("" if name == "home" else name)
    return paths


def saved_model(data: Path, sign_digits: bool) -> None:
    import torch

    from explorer.data import datasets
    from explorer.data.types import COURSE_SPLIT
    from explorer.train import recipes, runs, training
    from tests.conftest import real_archive

    if sign_digits and real_archive() is not None:  # where the server started below finds it too
        os.environ.setdefault("CNN_EXPLORER_SIGN_DIGITS", str(real_archive()))
    name = "sign-digits" if sign_digits else "digits"
    train, test = datasets.split(datasets.load(name, download_missing=False), COURSE_SPLIT)
    spec = recipes.model_spec("fastnet", train, {"width": 8} if name == "digits" else {})
    config = training.TrainConfig(epochs=2, batch_size=64, lr=0.02, threads=1, seed=0, device="cpu")
    torch.manual_seed(0)
    runs.run(runs.TrainRequest(spec, config, name, train, test, COURSE_SPLIT,
                               recipes.default_name("fastnet", name), data / "models"))


def settle(page) -> None:
    """Wait for the run, then for charts and pictures to be drawn."""
    wait_idle(page, 120_000)
    page.wait_for_timeout(1500)
    wait_idle(page, 120_000)


SCROLL_HEIGHT = """() => Math.max(...['stMain', 'stAppViewContainer', 'stMainBlockContainer']
    .map(id => document.querySelector(`[data-testid="${id}"]`)).filter(Boolean).map(e => e.scrollHeight))"""


def full_page(page, path: Path, width: int, height: int, limit: int = 7000) -> None:
    """The whole page: Streamlit scrolls inside its main area, so the window is made as tall
    as that area for the picture (at most `limit` pixels), then set back."""
    tall = min(int(page.evaluate(SCROLL_HEIGHT)) + 40, limit)
    page.set_viewport_size({"width": width, "height": max(tall, height)})
    settle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


def main(out: str = str(OUT), *flags: str) -> None:
    from playwright.sync_api import sync_playwright

    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        os.environ["CNN_EXPLORER_DATA"] = str(data)  # nothing written into the checkout
        saved_model(data, "--sign-digits" in flags)
        proc, url = start_server(data)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for width, height, present in ((1400, 900, False), (1280, 720, True)):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    open_page(page, url)  # Home first: the app's navigation is set up
                    for path in url_paths():
                        name = path or "home"
                        query = "?present=1" if present else ""
                        open_page(page, url, path + query)
                        settle(page)
                        tag = f"presenter-{width}x{height}" if present else f"{width}x{height}"
                        page.screenshot(path=str(out_dir / f"{name}-{tag}.png"))
                        if not present:
                            full_page(page, out_dir / f"{name}-{tag}-full.png", width, height)
                        print(f"saved {name}-{tag}", flush=True)
                    page.close()
                browser.close()
        finally:
            stop_server(proc)


if __name__ == "__main__":
    main(*sys.argv[1:])

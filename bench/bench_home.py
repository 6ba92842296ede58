"""How fast the app opens, in Chromium: a fresh server's first visit (Home, Convolution), then
server start to healthy and Home in fresh browser contexts on one warm server.

    python -m bench.bench_home [--pages "" convolution] [--repeat 3] [--before DIR] [--visits 10]

First visits: each open starts a fresh `streamlit run app.py` (2 torch threads, the class warm-up
on, an empty data folder: the teacher's visit before class, or a student's own laptop) and opens
the page's link in a new Chromium tab; the page's own clock (performance.now(), from the
navigation's start) records when its title is drawn, when its first picture or chart is drawn on
the first screen, and when its first script run ends. Pages are url paths ("convolution",
"building_blocks"); "" is Home. --before DIR: a checkout of an earlier commit (`git worktree add
DIR <commit>`), opened in turns with this one so that a slower minute slows both. A one-line Streamlit app is opened the
same way as the floor: Python, Streamlit's server and the browser loading Streamlit's scripts.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import json
import os
import shutil
import tempfile
import time

from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.bench_page_switch import SHAPES
from bench.common import median, percentile, table
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server
from tests.browser.helpers import wait_idle

HERE = Path(__file__).resolve().parent.parent
HOME_TITLE = "🧠 CNN Explorer"

# Before the app's scripts run: the page's clock when a title is first in the main area (and its
# text), when a picture or chart is first drawn on the first screen (as bench_page_switch counts
# one), and when the first run after the title is over. Checked on every DOM change and every
# frame (a picture's loading ends without one).
RECORD = """
window.__seen = {};
const SHAPES = 'img, ' + %s;
const check = () => {
  const main = document.querySelector('[data-testid="stMain"]');
  const app = document.querySelector('[data-testid="stApp"]');
  if (!main || !app) return;
  const h1 = main.querySelector('h1');
  if (!('title' in window.__seen) && h1) {
    window.__seen.title = performance.now();
    window.__seen.text = h1.innerText;
  }
  const drawn = el => el.getBoundingClientRect().height > 0 && el.getBoundingClientRect().top < window.innerHeight
      && (el.tagName !== 'IMG' || (el.complete && el.naturalWidth > 0));
  if (!('visual' in window.__seen) && [...main.querySelectorAll(SHAPES)].some(drawn)) {
    window.__seen.visual = performance.now();
  }
  if ('title' in window.__seen && !('end' in window.__seen)
      && app.getAttribute('data-test-script-state') === 'notRunning') window.__seen.end = performance.now();
};
new MutationObserver(check).observe(document, {childList: true, subtree: true, characterData: true, attributes: true});
const tick = () => {
  check();
  if (!('visual' in window.__seen && 'end' in window.__seen)) requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
""" % json.dumps(SHAPES)
VISUAL_AFTER_END_MS = 5_000  # a page with no picture on its first screen: how long to look for one after its run


def one_open(browser: Browser, tree: Path, page: str, threads: int) -> dict[str, float]:
    """Seconds from the navigation to each mark, on a server started for this open."""
    data = Path(tempfile.mkdtemp(prefix="cold-start-"))
    proc, url = start_server(data, {"CNN_EXPLORER_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
                                    "CNN_EXPLORER_WARM_UP": "1", "PYTHONPATH": str(tree)}, root=tree)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        tab = context.new_page()
        tab.add_init_script(RECORD)
        tab.goto(f"{url}/{page}")
        tab.wait_for_function("() => 'end' in window.__seen", timeout=300_000)
        try:
            tab.wait_for_function("() => 'visual' in window.__seen", timeout=VISUAL_AFTER_END_MS)
        except PlaywrightTimeout:
            pass
        seen = tab.evaluate("() => window.__seen")
        if page and seen["text"] == HOME_TITLE:
            raise SystemExit(f"/{page} opened Home: not a page's url path")
        context.close()
        return {k: v / 1000 for k, v in seen.items() if k != "text"}
    finally:
        stop_server(proc)
        shutil.rmtree(data, ignore_errors=True)


def trivial_app() -> Path:
    tree = Path(tempfile.mkdtemp(prefix="cold-start-trivial-"))
    (tree / "app.py").write_text('import streamlit as st\nst.title("Hello")\n')
    return tree


def cell(times: list[float | None]) -> str:
    seen = [t for t in times if t is not None]
    return (" / ".join("-" if t is None else f"{t:.2f}" for t in times)
            + (f" (median {median(seen):.2f})" if len(seen) == len(times) else ""))


def fresh_servers(args: argparse.Namespace) -> None:
    """The first-visit table: a fresh server for each open, in turns with --before."""
    trees = {"before": args.before.resolve(), "now": HERE} if args.before else {"now": HERE}
    load = os.getloadavg()[0]
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        floor = trivial_app()
        runs = [one_open(browser, floor, "", args.threads) for _ in range(args.repeat)]
        shutil.rmtree(floor, ignore_errors=True)
        rows.append(["a one-line Streamlit app (the floor)", "title"] + [cell([r["title"] for r in runs])] * len(trees))
        for page in args.pages:
            by_tree: dict[str, list[dict]] = {name: [] for name in trees}
            for _ in range(args.repeat):  # in turns
                for name, tree in trees.items():
                    by_tree[name].append(one_open(browser, tree, page, args.threads))
            for mark in ("title", "visual", "end"):
                rows.append([page or "Home", mark] + [cell([r.get(mark) for r in by_tree[n]]) for n in trees])
        browser.close()
    table(f"A fresh server's first visit in Chromium, {args.threads} thread(s), seconds from the navigation "
          f"(load average {load:.1f} -> {os.getloadavg()[0]:.1f})",
          ["page", "until"] + [f"{n} s" for n in trees], rows)
    print("title: the page's title drawn; visual: a picture or chart drawn on the first screen (-: none within "
          f"{VISUAL_AFTER_END_MS / 1000:.0f} s of the run's end); end: its first script run over")


def warm_server(visits: int) -> None:
    """Server start to healthy, the first Home render, then Home in `visits` fresh contexts."""
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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pages", nargs="+", default=["", "convolution"], help='first visits: url paths; "" is Home')
    p.add_argument("--repeat", type=int, default=3, help="first visits of each page (fresh servers)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--before", type=Path, help="an earlier checkout, opened in turns (first visits only)")
    p.add_argument("--visits", type=int, default=10, help="Home in fresh contexts on one warm server (0: none)")
    args = p.parse_args()
    fresh_servers(args)
    if args.visits and not args.before:
        warm_server(args.visits)


if __name__ == "__main__":
    main()

"""The first open of an explanation page with the course's CNN, in Chromium on a fresh server: when
does the student see the map, and when the note saying whether the picture looks like the
training pictures (which needs the model's out-of-distribution statistics: seconds, once per
model and server)?

    python -m bench.bench_first_open_browser [--pages occlusion saliency] [--repeat 3]
                                             [--threads 2] [--before DIR] [--second]

Each open starts a fresh `streamlit run app.py` (cold caches, the class warm-up thread starting
with it, as on a server started before class) on a copy of one data folder holding the course's
CNN with its seeded initial weights, then opens the page's link in Chromium. Times are read off
the page's own clock (performance.now(), from the navigation's start): the title, the page's
first map, the note's verdict, the end of the run. --second: a second student opens Saliency on
the same server one second after the first, and its map is timed too (the model's lock).
--before DIR: a checkout of an earlier commit (`git worktree add DIR <commit>`), in turns.
Needs the Sign Language Digits archive ($CNN_EXPLORER_SIGN_DIGITS) and Debian's Chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import os
import shutil
import tempfile

from playwright.sync_api import Browser, sync_playwright

from bench.bench_first_open import HERE, save_model
from bench.common import median, table
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

# The text under each page's first map, drawn once the map is.
VISUAL = {"occlusion": "The same map over the picture", "saliency": "Grad-CAM uses layer"}
VERDICT = ("This looks like", "This does not look like")

# Before the app's scripts run: the page's clock when each text first shows, and when a run ends.
RECORD = """
window.__seen = {};
const marks = %s;
const check = () => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return;
  const text = main.innerText || '';
  for (const [name, needles] of Object.entries(marks)) {
    if (!(name in window.__seen) && needles.some(n => text.includes(n))) window.__seen[name] = performance.now();
  }
  const app = document.querySelector('[data-testid="stApp"]');
  if (app && 'visual' in window.__seen && app.getAttribute('data-test-script-state') === 'notRunning'
      && !('end' in window.__seen)) window.__seen.end = performance.now();
};
new MutationObserver(check).observe(document, {childList: true, subtree: true, characterData: true, attributes: true});
"""


def open_page(browser: Browser, url: str, page: str, model: str):
    """A new student's tab on `page`; returns it (its clock records the marks)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    marks = {"title": ["⬛", "✨"], "visual": [VISUAL[page]], "verdict": list(VERDICT)}
    tab.add_init_script(RECORD % marks)
    tab.goto(f"{url}/{page}?model={model}")
    return tab


def marks_of(tab, timeout_s: float = 300) -> dict[str, float]:
    tab.wait_for_function("() => 'end' in window.__seen && 'verdict' in window.__seen", timeout=timeout_s * 1000)
    seen = tab.evaluate("() => window.__seen")
    tab.context.close()
    return {k: v / 1000 for k, v in seen.items()}


def one_open(browser: Browser, tree: Path, data0: Path, page: str, model: str, threads: int,
             second: bool) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix="first-open-browser-"))
    shutil.copytree(data0, data, dirs_exist_ok=True)
    proc, url = start_server(data, {"CNN_EXPLORER_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
                                    "PYTHONPATH": str(tree)}, root=tree)
    try:
        first = open_page(browser, url, page, model)
        if second:
            first.wait_for_timeout(1000)
            other = open_page(browser, url, "saliency", model)
        out = marks_of(first)
        if second:
            out["second"] = marks_of(other)["visual"] + 1.0  # from the first student's navigation
        return out
    finally:
        stop_server(proc)
        shutil.rmtree(data, ignore_errors=True)


def cell(times: list[float]) -> str:
    return " / ".join(f"{t:.1f}" for t in times) + f" (median {median(times):.1f})"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pages", nargs="+", default=["occlusion", "saliency"], choices=sorted(VISUAL))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--before", type=Path)
    p.add_argument("--second", action="store_true", help="a second student opens Saliency a second later")
    args = p.parse_args()
    data0 = Path(tempfile.mkdtemp(prefix="first-open-model-"))
    os.environ["CNN_EXPLORER_DATA"] = str(data0)
    model = save_model()
    trees = {"before": args.before.resolve(), "now": HERE} if args.before else {"now": HERE}
    what = ["title", "visual", "verdict", "end"] + (["second"] if args.second else [])
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for page in args.pages:
            runs: dict[str, list[dict]] = {name: [] for name in trees}
            for _ in range(args.repeat):  # in turns: a slower minute slows both
                for name, tree in trees.items():
                    runs[name].append(one_open(browser, tree, data0, page, model, args.threads, args.second))
            for w in what:
                rows.append([page, w] + [cell([r[w] for r in runs[n]]) for n in trees])
        browser.close()
    table(f"First open with the course CNN in Chromium, fresh server, {args.threads} thread(s), "
          f"seconds from the navigation, load average {os.getloadavg()[0]:.1f}",
          ["page", "until"] + [f"{n} s" for n in trees], rows)
    print("title: the page's title drawn; visual: its first map; verdict: the out-of-distribution note's "
          "verdict; end: the script run over"
          + ("; second: a second student's Saliency map, opened 1 s after the first page loaded (its own "
             "clock + 1 s)" if args.second else ""))


if __name__ == "__main__":
    main()

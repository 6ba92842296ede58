"""The Train page's "Estimated cost: about N s" on a fresh server against the run's own seconds.

The estimate's speed is measured once per network, batch and arithmetic (a few training steps
on noise, cached ten minutes), on the first open of the Train page: on a student's own laptop
while Chromium is still drawing that page. Each round starts a private `streamlit run` (2 torch
threads), opens the Train page in Chromium, reads the estimate, clicks Train and reads the run's
training seconds (meta.json) once "Saved as" is drawn.

    python -m bench.bench_estimate [--servers 8]

Runtime: about 20 s a server on a quiet 2-core machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import os
import re
import tempfile

from playwright.sync_api import sync_playwright

from bench.bench_train_page import click_to_saved, train_seconds
from bench.common import machine, median
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

SHOWN = re.compile(r"Estimated cost: about (\d+) (s|minutes)")


def one_server(threads: str) -> tuple[float, float]:
    """(seconds the page estimated, seconds the run trained) on a fresh server."""
    data = Path(tempfile.mkdtemp(prefix="bench-estimate-"))
    proc, url = start_server(data, {"CNN_EXPLORER_THREADS": threads, "OMP_NUM_THREADS": threads})
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(120_000)
            shown = {}

            def read_estimate() -> None:
                text = page.get_by_text("Estimated cost").first.inner_text()
                n, unit = SHOWN.search(text).groups()
                shown["s"] = float(n) * (60 if unit == "minutes" else 1)

            click_to_saved(page, url, before_click=read_estimate)
            browser.close()
    finally:
        stop_server(proc)
    return shown["s"], next(iter(train_seconds(data / "models").values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = []
    for i in range(args.servers):
        shown, trained = one_server(str(args.threads))
        rows.append((shown, trained))
        print(f"server {i}: estimated {shown:.0f} s, trained {trained:.2f} s, ratio {shown / trained:.1f}",
              flush=True)
    ratios = [s / t for s, t in rows]
    print(f"\nThe Train page's estimate on a fresh server, default net, {args.threads} threads, {args.servers} "
          f"servers ({machine()}; load {load:.1f} -> {os.getloadavg()[0]:.1f})")
    print("| estimate / training seconds | median | worst | servers off by more than 3x |")
    print("|---|---|---|---|")
    off = sum(r > 3 or r < 1 / 3 for r in ratios)
    print(f"| | {median(ratios):.1f} | {max(ratios):.1f} | {off} of {len(ratios)} |")


if __name__ == "__main__":
    main()

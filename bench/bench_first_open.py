"""The first open of a page with a saved model of the course's CNN: what the first student of a
class waits for before the page's cached, per-model results exist.

    python -m bench.bench_first_open [--pages pages/occlusion.py pages/confidence.py]
                                     [--repeat 2] [--threads 2] [--before DIR]

Saves the course's CNN (seeded initial weights, as the Train page saves a model) in a fresh data
folder, then opens each page in Streamlit's AppTest, each time in a fresh process (cold
caches), and prints the seconds from switching to the page until its script run ended.
--before DIR: a checkout of an earlier commit (`git worktree add DIR <commit>`), timed in
turns with this one. Needs the Sign Language Digits archive ($CNN_EXPLORER_SIGN_DIGITS).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import median, table

HERE = Path(__file__).resolve().parents[1]
SPEC = {"architecture": "course_cnn", "options": {"in_channels": 1, "num_classes": 10, "input_size": [64, 64]}}

# Run in a fresh interpreter inside one tree: open `page` for `model` and print the seconds.
OPEN = """
import os, sys, time
from streamlit.testing.v1 import AppTest
tree, page, model = sys.argv[1:4]
at = AppTest.from_file(tree + "/app.py", default_timeout=900).run()
at.query_params.update({"model": model})
t = time.perf_counter()
at.switch_page(page).run()
took = time.perf_counter() - t
if at.exception:
    sys.exit("the page failed: " + at.exception[0].value[:300])
print(took, flush=True)
os._exit(0)  # the warm-up thread may still be computing for the class: no teardown under it
"""


def save_model() -> str:
    import torch

    from explorer.data import datasets
    from explorer.models import from_spec
    from explorer.saved import registry
    from explorer.saved.model_card import ModelCard

    ds = datasets.load("sign-digits", download_missing=False)  # also caches the decoded pictures
    torch.manual_seed(0)
    meta = {"name": "course CNN (bench)", "architecture": "course_cnn", "spec": SPEC, "dataset": "sign-digits",
            "classes": list(ds.classes), "input_size": [1, 64, 64],
            "normalisation": {"mean": [0.5], "std": [0.25]}, "test_accuracy": 0.1, "epochs": 1}
    return registry.save(from_spec.build(SPEC), ModelCard.from_json(meta)).id


def open_once(tree: Path, page: str, model: str, env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", OPEN, str(tree), page, model], cwd=tree,
                         env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True, timeout=900)
    if out.returncode:
        raise SystemExit(f"{tree}: {page}: {out.stderr.strip()[-500:]}")
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pages", nargs="+", default=["pages/occlusion.py", "pages/confidence.py"])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--before", type=Path, help="a checkout of an earlier commit, timed in turns with this one")
    args = p.parse_args()
    os.environ["CNN_EXPLORER_DATA"] = tempfile.mkdtemp(prefix="first-open-")
    env = {**os.environ, "CNN_EXPLORER_THREADS": str(args.threads)}
    model = save_model()
    trees = {"before": args.before.resolve(), "now": HERE} if args.before else {"now": HERE}
    rows = []
    for page in args.pages:
        times: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.repeat):  # in turns: a slower minute slows both
            for name, tree in trees.items():
                times[name].append(open_once(tree, page, model, env))
        rows.append([page] + [" / ".join(f"{t:.2f}" for t in times[n]) + f" (median {median(times[n]):.2f})"
                              for n in trees])
    table(f"First open with the course CNN, {args.threads} thread(s), load average {os.getloadavg()[0]:.1f}",
          ["page"] + [f"{n} s" for n in trees], rows)


if __name__ == "__main__":
    main()

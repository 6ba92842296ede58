"""Time and peak memory of the CLI's hostile arguments (issue #19 item 9) and of training the
README's smallest dataset with the default settings (item 8), each a fresh
`python -m explorer.train` process, against the checkout given with --repo:

    python -m bench.bench_cli --repo /tmp/before      # e.g. a worktree of the old commit
    python -m bench.bench_cli

Peak memory is the child's maximum resident set size (os.wait4), imports included.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import median, table

ROOT = Path(__file__).resolve().parent.parent


def cases(tmp: Path) -> list[tuple[str, list[str]]]:
    from tests.archive_factory import class_zip
    from tests.hostile_corpus import five_each

    smallest = class_zip(five_each(), tmp / "two-classes.zip")
    return [
        ("--seed 1e23 (as a whole number)", ["--dataset", "digits", "--seed", str(10**23)]),
        ("--model lenet5 --dataset digits", ["--dataset", "digits", "--model", "lenet5"]),
        ("--out /proc/nope", ["--dataset", "digits", "--out", "/proc/nope"]),
        ("--threads 100000", ["--dataset", "digits", "--threads", "100000"]),
        ("--name of 100,000 characters", ["--dataset", "digits", "--name", "x" * 100_000]),
        ("README's 2 classes x 5, defaults", ["--dataset", str(smallest)]),
    ]


def run(repo: Path, args: list[str], out: Path, timeout: float) -> tuple[float, float, str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(repo), "CNN_EXPLORER_DATA": str(out)}
    extra = [] if "--out" in args else ["--out", str(out / "models")]
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as so:
        proc = subprocess.Popen([sys.executable, "-m", "explorer.train", "--quiet", "--epochs", "1", *extra, *args]
                                if "two-classes" not in args[1] else
                                [sys.executable, "-m", "explorer.train", "--quiet", *extra, *args],
                                cwd=repo, env=env, stdout=so, stderr=err)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except ChildProcessError:
            return float("nan"), float("nan"), "lost"
        seconds = time.perf_counter() - t
        err.seek(0)
        text = err.read().decode(errors="replace").strip().splitlines()
    code = os.waitstatus_to_exitcode(status)
    last = text[-1][:70] if text else ""
    what = "traceback" if any(l.startswith("Traceback") for l in text) else ("signal" if code < 0 else "")
    return seconds, usage.ru_maxrss / 1024, f"exit {code} {what}: {last}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", type=Path, default=ROOT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in cases(Path(tmp)):
            results = [run(args.repo.resolve(), argv, Path(tmp), args.timeout) for _ in range(args.repeat)]
            rows.append([name, f"{median([r[0] for r in results]):.1f}", f"{median([r[1] for r in results]):,.0f}",
                         results[-1][2]])
    table(f"python -m explorer.train against {args.repo} (median of {args.repeat}; load {os.getloadavg()[0]:.1f})",
          ["case", "seconds", "peak MB", "outcome"], rows)


if __name__ == "__main__":
    main()

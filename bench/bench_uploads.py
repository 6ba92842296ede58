"""Time and peak memory of the worst hostile uploads (issue #19), each in a fresh process.

Every case runs in its own child Python (so one case's peak is not another's), against the
code of a checkout given with --repo (default: this one), e.g. to compare with an older commit:

    git worktree add /tmp/before a35128f
    python -m bench.bench_uploads --repo /tmp/before
    python -m bench.bench_uploads

A child gets at most --mem-gb of address space and --timeout seconds: the old code needed
~120 GB for the 1,000-picture zip, so "out of memory at N GB" is what it reports there.
Peak memory is the child's maximum resident set size minus its size after imports.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import median, table

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time, io
kind, path = sys.argv[1], sys.argv[2]
from explorer.data import datasets, images
data = open(path, "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    if kind == "zip":
        buf = io.BytesIO(data); buf.name = "upload.zip"
        ds = datasets.from_zip(buf)
        outcome = f"accepted: {len(ds)} pictures"
    else:
        img = images.decode(data)
        outcome = f"accepted: {img.size[0]}x{img.size[1]} {img.mode}"
except (images.ImageError, datasets.DatasetError) as exc:
    outcome = "refused: " + str(exc)[:70]
except MemoryError:
    outcome = "out of memory"
except Exception as exc:
    outcome = f"crashed: {type(exc).__name__}: {str(exc)[:50]}"
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": (peak - base) / 1024, "outcome": outcome}))
"""


def run_case(repo: Path, kind: str, path: Path, mem_gb: float, timeout: float) -> dict:
    limit = int(mem_gb * 2**30)

    def cap():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.nice(10)

    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(repo)}
    try:
        res = subprocess.run([sys.executable, "-c", CHILD, kind, str(path)], cwd=repo, env=env,
                             capture_output=True, text=True, timeout=timeout, preexec_fn=cap)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "peak_mb": float("nan"), "outcome": f"still running after {timeout:.0f} s (killed)"}
    lines = [l for l in res.stdout.splitlines() if l.startswith("{")]
    if not lines:
        return {"seconds": float("nan"), "peak_mb": float("nan"),
                "outcome": f"child died (rc {res.returncode}): {res.stderr.strip().splitlines()[-1:]}"}
    return json.loads(lines[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", type=Path, default=ROOT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mem-gb", type=float, default=5.0)
    ap.add_argument("--timeout", type=float, default=180.0)
    ap.add_argument("--only", help="run only cases whose name contains this")
    args = ap.parse_args()
    from tests import hostile_corpus as hc

    cases = [c for c in hc.WORST if not args.only or args.only in c.name]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            path = Path(tmp) / f"case{case.suffix}"
            path.write_bytes(case.build())
            results = [run_case(args.repo.resolve(), case.kind, path, args.mem_gb, args.timeout)
                       for _ in range(args.repeat)]
            rows.append([case.name, f"{path.stat().st_size / 1024:,.0f} kB",
                         f"{median([r['seconds'] for r in results]):.2f}",
                         f"{median([r['peak_mb'] for r in results]):,.0f}",
                         results[-1]["outcome"]])
    table(f"Hostile uploads against {args.repo} (median of {args.repeat}; address space capped at "
          f"{args.mem_gb:g} GB; load {os.getloadavg()[0]:.1f})",
          ["case", "file", "seconds", "peak MB", "outcome"], rows)


if __name__ == "__main__":
    main()

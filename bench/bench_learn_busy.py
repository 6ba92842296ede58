"""The Learn changes of the class bench, one student, in an app process whose other threads are
busy: how long a change takes when it must share the GIL.

A class's app process runs every student's page run, the trainings and the event loop as
threads of one Python process. This bench starts a private server with `--busy` (2) threads
that only spin in Python (bench/busy_site/sitecustomize.py: stand-ins for two trainings' and
other runs' Python work), then one student (bench/protocol_client.py) repeats each Learn change
of bench_protocol_load (Convolution's stride, Pooling's kind, the 1-D example, Architectures'
choice) `--repeats` times and the table gives the wall time per change (median, p90) and the
server's CPU per change (without busy threads: `--busy 0`). Compare versions with --app. About 1-2 minutes per version:

    flock /tmp/bench.lock python -m bench.bench_learn_busy [--app /path/to/other/checkout] [--busy 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import asyncio
import os
import shutil
import tempfile

from bench.bench_protocol_cpu import cpu_seconds
from bench.bench_protocol_load import STEPS, start_server
from bench.common import machine, median
from bench.protocol_client import Session
from tests.browser.conftest import stop_server
from tests.conftest import ROOT

SITE = Path(__file__).with_name("busy_site")


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


async def changes(url: str, pid: int, repeats: int) -> dict[str, tuple[list[float], list[float]]]:
    out = {}
    s = Session(url)
    try:
        await s.connect()
        for step in STEPS:
            if step.section != "Learn":
                continue
            await s.open(step.page)
            for _ in range(2):  # the class's shared results computed: what a further change costs
                await s.set(step.label, step.choose(s, s.widget(step.label)))
            walls, cpus = [], []
            for _ in range(repeats):
                before = cpu_seconds(pid)
                run = await s.set(step.label, step.choose(s, s.widget(step.label)))
                await asyncio.sleep(0.2)  # work finished after the reply counts too
                walls.append(run.ms)
                cpus.append((cpu_seconds(pid) - before) * 1000)
                if run.errors:
                    raise RuntimeError(f"{step.title}: {run.errors[:2]}")
            out[f"{step.title}: {step.action}"] = (walls, cpus)
    finally:
        await s.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default=str(ROOT), help="checkout to serve (default: this one)")
    parser.add_argument("--busy", type=int, default=2, help="threads spinning in the server")
    parser.add_argument("--repeats", type=int, default=12)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    app = Path(args.app).resolve()
    data = Path(tempfile.mkdtemp(prefix="bench-learn-busy-"))
    load = os.getloadavg()[0]
    env = {"PYTHONPATH": str(SITE), "BENCH_BUSY_THREADS": str(args.busy)}
    proc, url = start_server(app, data, args.threads, env_extra=env)
    try:
        out = asyncio.run(changes(url, proc.pid, args.repeats))
    finally:
        stop_server(proc)
        shutil.rmtree(data, ignore_errors=True)
    print(f"app: {app}; {args.busy} busy threads in the server; load average before {load:.1f}, "
          f"after {os.getloadavg()[0]:.1f}; {machine()}")
    print(f"{'change':<40} {'wall median':>12} {'wall p90':>9}")
    if not args.busy:
        print("server CPU per change, median: " + ", ".join(f"{n} {median(c):.0f} ms" for n, (_, c) in out.items()))
    for name, (walls, cpus) in out.items():
        print(f"{name:<40} {median(walls):>10.0f} ms {p90(walls):>6.0f} ms")


if __name__ == "__main__":
    main()

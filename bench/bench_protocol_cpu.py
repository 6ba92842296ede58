"""What each interaction of the class bench costs the server in CPU, one student at a time.

At 60 students and one action every 3 s the server answers 20 requests a second; on 2 cores
shared with the students' trainings, each request must cost well under 50 ms of CPU. This bench
starts a private server (no trainings), lets `--students` students walk the same steps as
bench_protocol_load one after the other (each its own session, opening each page with its
default settings and making one change) and reads the server's CPU time (utime + stime from
/proc) before and after each request. The first student computes what the class shares; the
next ones show what every further student costs.

    flock /tmp/bench.lock python -m bench.bench_protocol_cpu              # 3 students, ~1-2 min
    python -m bench.bench_protocol_cpu --app /path/to/other/checkout      # another version
    python -m bench.bench_protocol_cpu --py-spy /tmp/walk.txt             # + a py-spy profile of students 2..
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict

from bench.bench_protocol_load import STEPS, bench_model, start_server, timed
from bench.common import machine, median
from bench.protocol_client import Session
from tests.browser.conftest import stop_server
from tests.conftest import ROOT


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(pid: int, coro) -> tuple[float, float, int, int, float, float]:
    """(server CPU ms, wall ms, errors, websocket messages, their KB, media KB) of one request;
    waits a moment after it so work the server finishes after the reply (media served, the
    run's cleanup) is counted too."""
    before = cpu_seconds(pid)
    run = await timed(coro)
    await asyncio.sleep(0.3)
    return ((cpu_seconds(pid) - before) * 1000, run.ms, len(run.errors), run.messages, run.ws_bytes / 1024,
            run.media_bytes / 1024)


async def walk(url: str, pid: int, students: int, after_first=None) -> dict:
    out = defaultdict(list)  # (page, what) -> [(cpu ms, wall ms, errors)] per student
    for n in range(students):
        if n == 1 and after_first is not None:
            after_first()
        s = Session(url)
        try:
            out[("Home", "first visit")].append(await measured(pid, s.connect()))
            for step in STEPS:
                out[(step.title, "open")].append(await measured(pid, s.open(step.page)))
                value = step.choose(s, s.widget(step.label))
                out[(step.title, step.action)].append(await measured(pid, s.set(step.label, value)))
        finally:
            await s.close()
    return out


def report(out: dict, students: int) -> None:
    print(f"\nServer CPU per request (ms), {students} students one after the other; {machine()}")
    print(f"{'page':<17} {'interaction':<20} {'1st CPU':>8} {'next CPU':>9} {'1st wall':>9} {'next wall':>10} errors"
          f" {'messages':>9} {'ws KB':>7} {'media KB':>9}")
    print("-" * 115)
    total_first = total_next = 0.0
    for (page, what), rows in out.items():
        first, rest = rows[0], rows[1:] or rows[:1]
        nxt = median([r[0] for r in rest])
        total_first += first[0]
        total_next += nxt
        print(f"{page:<17} {what:<20} {first[0]:>8.0f} {nxt:>9.0f} {first[1]:>9.0f} "
              f"{median([r[1] for r in rest]):>10.0f} {sum(r[2] for r in rows):>6}"
              f" {median([r[3] for r in rest]):>9.0f} {median([r[4] for r in rest]):>7.0f}"
              f" {median([r[5] for r in rest]):>9.0f}")
    print("-" * 115)
    n = len(out)
    print(f"{'all':<38} {total_first:>8.0f} {total_next:>9.0f}   (mean per request of a further student: "
          f"{total_next / n:.0f} ms)")


async def run(args) -> None:
    app = Path(args.app).resolve()
    _, model = bench_model(app)
    data = Path(tempfile.mkdtemp(prefix="bench-protocol-cpu-"))
    shutil.copytree(model, data, dirs_exist_ok=True)
    load_before = os.getloadavg()
    proc, url = start_server(app, data, args.threads)
    spy = []

    def start_spy() -> None:  # the further students only: what the class pays per student
        spy.append(subprocess.Popen(["py-spy", "record", "-p", str(proc.pid), "-f", "raw", "-o", args.py_spy,
                                     "-r", "100", "--nonblocking"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL))
        time.sleep(1)

    try:
        out = await walk(url, proc.pid, args.students, start_spy if args.py_spy else None)
    finally:
        for p in spy:
            p.send_signal(2)
            p.wait(timeout=60)
        stop_server(proc)
        shutil.rmtree(data, ignore_errors=True)  # a copy of the model: nothing to keep
    print(f"app: {app}; load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    report(out, args.students)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--app", default=str(ROOT), help="checkout to serve (default: this one)")
    parser.add_argument("--py-spy", default="", help="write a py-spy profile (raw, collapsed stacks) here")
    args = parser.parse_args()
    if args.py_spy and shutil.which("py-spy") is None:
        parser.error("--py-spy needs the py-spy profiler: pip install py-spy")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()

"""Memory goes back to the system after work (explorer/server/memory.py): a finished background job
and, on a running server, the periodic trim; the launchers cap malloc's arenas.

Each case runs in a child process so that its resident memory is its own (the test process's
other tests hold theirs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from explorer.launch import command
from explorer.server import memory
from tests.conftest import ROOT

CHILD = r"""
import json, sys, threading, time
import numpy as np
from explorer.server import jobs, memory

def rss_mb():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS")) / 1024

peak = []
def churn(job=None):
    # 2,000 buffers of 96 KB (malloc serves them from its arenas, below its mmap threshold), as a
    # training's batches and activations; it keeps one in twenty (the model, the history), so
    # the freed ones are holes malloc cannot hand back from the top of its heap.
    blocks = [np.ones(12_000) for _ in range(2_000)]
    peak.append(rss_mb())
    kept = blocks[::20]
    del blocks
    return kept

before = rss_mb()
if sys.argv[1] == "job":
    manager = jobs.JobManager(max_running=1)
    job = manager.submit("train", churn)
    job.wait(60)
    kept = job.result
else:  # a server's page runs: plain threads, the Trimmer running
    memory.Trimmer(every=0.5).start()
    out = []
    t = threading.Thread(target=lambda: out.append(churn()))
    t.start(); t.join()
end = time.monotonic() + 5
while rss_mb() > before + 40 and time.monotonic() < end:
    time.sleep(0.1)
print(json.dumps({"before": before, "peak": peak[0], "after": rss_mb()}))
"""

linux_glibc = pytest.mark.skipif(not sys.platform.startswith("linux") or memory._LIBC is None,
                                 reason="glibc's malloc only")


@linux_glibc
@pytest.mark.parametrize("where", ["job", "trimmer"])
def test_memory_freed_by_finished_work_goes_back_to_the_system(where):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD, where], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    mb = json.loads(out.stdout.strip().splitlines()[-1])
    assert mb["peak"] - mb["before"] > 150, mb  # the work did hold ~190 MB
    # What it kept (~10 MB) and some slack; malloc alone would have kept ~190 MB resident.
    assert mb["after"] - mb["before"] < 40, mb


def test_the_launcher_caps_malloc_arenas(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    cmd, env = command.app_command(["--server.port", "8599"])
    assert env["MALLOC_ARENA_MAX"] == str(memory.ARENAS)
    assert cmd[-2:] == ["--server.port", "8599"]
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # an operator's own setting wins
    assert command.app_command([])[1]["MALLOC_ARENA_MAX"] == "4"
    hall = (ROOT / "deploy" / "lecture_hall.sh").read_text()
    assert "MALLOC_ARENA_MAX" in hall

"""Training slots shared by the app processes of a lecture hall: the limit holds across
processes, and a killed process's slot frees itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from explorer.server.jobs import DONE, QUEUED, RUNNING, SLOT_POLL_SECONDS, JobManager
from explorer.server.slots import SlotPool
from tests.conftest import ROOT

HOLDER = """
import sys, time
from pathlib import Path
from explorer.server.slots import SlotPool
slot = SlotPool(Path(sys.argv[1]), int(sys.argv[2])).try_acquire()
print("held" if slot else "none", flush=True)
time.sleep(600)
"""


def other_process(folder, count: int) -> subprocess.Popen:
    """Another 'app process' that takes one slot of `folder` and keeps it until killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(count)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == "held"
    return proc


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)  # no clean-up code runs: only the kernel can free the slot
    proc.wait(10)


def test_a_killed_process_gives_its_slot_back(tmp_path):
    pool = SlotPool(tmp_path, 1)
    proc = other_process(tmp_path, 1)
    try:
        assert pool.try_acquire() is None and pool.busy() == 1
    finally:
        kill(proc)
    slot = pool.try_acquire()
    assert slot is not None
    assert pool.busy() == 1  # held by this process now, even for a second look from here
    slot.release()
    assert pool.busy() == 0


def test_a_job_waits_while_another_process_runs_the_limit_then_starts(tmp_path):
    pool = SlotPool(tmp_path, 2)
    others = [other_process(tmp_path, 2)]
    manager = JobManager(max_running=2, slots=pool)  # room here, but the hall's 2 slots...
    gate = threading.Event()
    first = manager.submit("train", lambda job: gate.wait(30))
    assert first.state == RUNNING  # one slot left: taken by this process's first job
    second = manager.submit("train", lambda job: "ran")
    time.sleep(3 * SLOT_POLL_SECONDS)
    assert second.state == QUEUED and second.queue_position() == 1  # ...are both taken
    kill(others.pop())  # the other process dies mid-training: its slot frees itself
    deadline = time.monotonic() + 10
    while second.state != DONE and time.monotonic() < deadline:
        time.sleep(0.05)
    assert second.state == DONE and second.result == "ran"
    gate.set()
    assert manager.wait_all(10)
    assert pool.busy() == 0  # finished jobs give their slots back

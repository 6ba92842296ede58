"""The background job manager: bounded concurrency, queue positions, clean stops, failures."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from explorer.server import jobs
from explorer.server.jobs import DONE, FAILED, QUEUED, RUNNING, STOPPED, JobManager


def blocking_work(gate: threading.Event):
    def work(job):
        job.emit("started")
        while not gate.wait(0.01):
            if job.stop_requested:
                return "stopped early"
        return "finished"
    return work


def test_limit_queue_positions_and_completion():
    mgr = JobManager(max_running=2)
    gate = threading.Event()
    jobs = [mgr.submit("train", blocking_work(gate), owner=f"s{i}") for i in range(4)]
    assert [j.state for j in jobs] == [RUNNING, RUNNING, QUEUED, QUEUED]
    assert [j.queue_position() for j in jobs] == [0, 0, 1, 2]
    assert mgr.running_count() == 2
    gate.set()
    assert mgr.wait_all(10)
    assert all(j.state == DONE and j.result == "finished" for j in jobs)
    assert jobs[0].events == ["started"]
    assert mgr.jobs(owner="s3") == [jobs[3]]


def test_stop_running_and_queued_jobs():
    mgr = JobManager(max_running=1)
    gate = threading.Event()
    running = mgr.submit("train", blocking_work(gate))
    queued = mgr.submit("train", blocking_work(gate))
    queued.stop()
    assert queued.state == STOPPED and queued.queue_position() == 0
    running.stop()
    assert mgr.wait_all(10)
    assert running.state == STOPPED and running.result == "stopped early"


def test_failure_is_reported_and_frees_the_slot():
    mgr = JobManager(max_running=1)

    def broken(job):
        raise RuntimeError("loss is NaN")

    bad = mgr.submit("train", broken)
    good = mgr.submit("train", lambda job: 42)
    assert mgr.wait_all(10)
    assert bad.state == FAILED and "loss is NaN" in bad.error
    assert good.state == DONE and good.result == 42


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")
def test_background_jobs_yield_the_cpu_to_page_runs():
    """A training on a shared server runs at a lower priority than the students' page runs."""
    if os.getpriority(os.PRIO_PROCESS, 0) >= 19:
        pytest.skip("started at nice 19 already: there is no lower priority to give a job")
    mgr = JobManager(max_running=1)
    job = mgr.submit("train", lambda job: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert mgr.wait_all(10)
    assert job.result == min(19, os.getpriority(os.PRIO_PROCESS, 0) + jobs.BACKGROUND_NICE)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < job.result  # this thread untouched


def test_waiting_on_a_job_returns_when_it_ends_or_is_dropped():
    """The Train page's live view waits on its job so the results appear as soon as it ends
    (issue 21), not at the next redraw a second later."""
    mgr = JobManager(max_running=1)
    gate = threading.Event()
    running = mgr.submit("train", blocking_work(gate), owner="a")
    queued = mgr.submit("train", blocking_work(gate), owner="b")
    assert not running.wait(0.05) and not queued.wait(0.05)
    queued.stop()  # dropped from the queue: finished at once
    assert queued.wait(0) and queued.state == STOPPED
    threading.Timer(0.2, gate.set).start()
    assert running.wait(10) and running.state == DONE and running.result == "finished"

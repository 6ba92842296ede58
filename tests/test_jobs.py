"""The background job manager: bounded concurrency, queue positions, clean stops, failures."""

from __future__ import annotations

import threading

from explorer.jobs import DONE, FAILED, QUEUED, RUNNING, STOPPED, JobManager


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

"""Results shared by the whole class (explorer/inspect/shared_results.py): one computation for
many concurrent requests, memory bounded by bytes, values nobody can change for the others."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from explorer.inspect.shared_results import SharedResults


def test_sixty_concurrent_requests_for_one_result_compute_it_once():
    shared, calls, gate = SharedResults(1 << 20), [], threading.Barrier(60)

    def compute():
        calls.append(1)
        time.sleep(0.2)  # long enough for every other request to arrive meanwhile
        return np.arange(100, dtype=np.float32)

    def student(_):
        gate.wait()
        return shared.get(("model@1", "test:3", "saliency"), compute)

    with ThreadPoolExecutor(60) as pool:
        results = list(pool.map(student, range(60)))
    assert len(calls) == 1
    assert all(r is results[0] for r in results)
    stats = shared.stats()
    assert stats.misses == 1 and stats.waits + stats.hits == 59


def test_different_keys_compute_in_parallel_not_one_after_the_other():
    shared, inside, most = SharedResults(1 << 20), [0], [0]
    lock = threading.Lock()

    def compute():
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.1)
        with lock:
            inside[0] -= 1
        return 1

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda k: shared.get(k, compute), range(4)))
    assert most[0] > 1  # a per-key wait, not one global lock


def test_memory_stays_within_the_bound_and_the_oldest_results_go_first():
    shared = SharedResults(max_bytes=10 * 4096)
    for i in range(100):
        shared.get(("map", i), lambda: np.zeros(1024, np.float32))  # 4096 bytes each
        assert shared.stats().bytes <= 10 * 4096
    assert shared.stats().entries == 10
    calls = []
    shared.get(("map", 99), lambda: calls.append("recomputed"))  # the newest is still there
    shared.get(("map", 0), lambda: calls.append("recomputed") or np.zeros(1024, np.float32))
    assert calls == ["recomputed"]  # the oldest was evicted


def test_a_result_larger_than_the_bound_is_returned_but_not_kept():
    shared = SharedResults(max_bytes=1000)
    big = shared.get("big", lambda: np.zeros(10_000, np.uint8))
    assert big.shape == (10_000,) and shared.stats().bytes == 0 and shared.stats().entries == 0


def test_a_failed_computation_reaches_every_waiter_and_is_not_stored():
    shared, gate = SharedResults(1 << 20), threading.Barrier(8)

    def compute():
        time.sleep(0.2)
        raise ValueError("the model could not run")

    def student(_):
        gate.wait()
        try:
            shared.get("k", compute)
        except ValueError as exc:
            return str(exc)

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(student, range(8))) == {"the model could not run"}
    assert shared.get("k", lambda: 5) == 5  # tried again, not a cached failure


def test_shared_arrays_are_read_only_for_every_session():
    shared = SharedResults(1 << 20)
    maps = shared.get("maps", lambda: {"conv1": np.ones((4, 8, 8), np.float32)})
    with pytest.raises(ValueError):
        maps["conv1"][0, 0, 0] = 0


class Stopped(BaseException):
    """Like Streamlit's StopException: one request is stopped (a newer click came in)."""


def test_a_stopped_computation_makes_a_waiter_compute_instead_of_failing_too():
    shared, started, calls = SharedResults(1 << 20), threading.Event(), []

    def stopped():
        calls.append("first")
        started.set()
        time.sleep(0.2)
        raise Stopped

    def owner():
        with pytest.raises(Stopped):
            shared.get("k", stopped)

    t = threading.Thread(target=owner)
    t.start()
    started.wait()
    assert shared.get("k", lambda: calls.append("second") or 42) == 42  # waited, then computed
    t.join()
    assert calls == ["first", "second"]

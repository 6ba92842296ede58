"""Background jobs: long work (training, baseline comparisons) off the page's script run.

A `JobManager` runs at most `max_running` jobs at once in worker threads; the rest wait in a
FIFO queue whose position each job can report. A job is a function `work(job)` that reports
through `job.emit(event)` and checks `job.stop_requested` to stop cleanly. Jobs outlive the
page run that started them: reruns, page switches and closed tabs don't touch them; only
`job.stop()` does.

Several processes of a lecture hall share the limit through `slots` (explorer/server/slots.py): a
job starts only once it also holds one of the shared folder's slot files; while another process
holds them all, queued jobs are retried every SLOT_POLL_SECONDS.

Bounded on a shared server: each owner (a browser session) may have `per_owner` unfinished
jobs, the server `max_waiting`, and the unfinished jobs' estimated memory (`cost_bytes`) may
add up to `budget_bytes`; `submit` refuses the rest with JobRefused, a sentence for people.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from explorer import limits
from explorer.server import memory
from explorer.server.slots import Slot, SlotPool

QUEUED, RUNNING, DONE, STOPPED, FAILED = "queued", "running", "done", "stopped", "failed"
FINISHED = (DONE, STOPPED, FAILED)
# Background work runs at a lower CPU priority (nice +10) so that on a busy classroom server
# the students' clicks (page runs) come first and trainings use what is left.
BACKGROUND_NICE = 10
SLOT_POLL_SECONDS = 0.5  # how often queued jobs look for a slot another process let go


class JobRefused(ValueError):
    """No room for one more job; str(error) says why and what to do."""


@dataclass(eq=False)
class Job:
    """One unit of background work and everything a page needs to show its progress."""

    id: str
    kind: str
    work: Callable[["Job"], Any]
    owner: str = ""  # the session that started it; pages show a person their own jobs
    label: str = ""
    cost_bytes: int = 0  # estimated peak memory, counted against the server's budget
    state: str = QUEUED
    events: list = field(default_factory=list)
    result: Any = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _done: threading.Event = field(default_factory=threading.Event, repr=False)  # set once finished
    _manager: "JobManager | None" = field(default=None, repr=False)
    _slot: Slot | None = field(default=None, repr=False)  # the lecture hall's slot it runs in

    def emit(self, event: Any) -> None:
        """Record a progress event (list.append is atomic, so readers never need the lock)."""
        self.events.append(event)

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Ask the job to stop; a queued job is removed from the queue at once."""
        self._stop.set()
        if self._manager is not None:
            self._manager._drop_if_queued(self)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED

    def wait(self, timeout: float) -> bool:
        """Block until the job has finished or `timeout` seconds passed; whether it finished."""
        return self._done.wait(timeout)

    def queue_position(self) -> int:
        """1 for the next job to start, 0 when not waiting."""
        return self._manager.position(self) if self._manager and self.state == QUEUED else 0

    def last(self, kind: type | None = None):
        """The most recent event (of a given type), or None."""
        for ev in reversed(self.events):
            if kind is None or isinstance(ev, kind):
                return ev
        return None


class JobManager:
    """Bounded concurrency for background jobs, shared by every session of the server."""

    def __init__(self, max_running: int | None = None, keep_finished: int = 50,
                 per_owner: int = limits.JOBS_PER_SESSION, max_waiting: int = limits.JOBS_WAITING,
                 budget_bytes: int = limits.TRAIN_TOTAL_BYTES, slots: SlotPool | None = None):
        self.max_running = max_running or max_jobs()
        self.slots = slots  # None: this process's own limit only
        self.keep_finished = keep_finished
        self.per_owner, self.max_waiting, self.budget_bytes = per_owner, max(max_waiting, 1), budget_bytes
        self._lock = threading.Lock()
        self._queue: list[Job] = []
        self._running: list[Job] = []
        self._finished: list[Job] = []
        self._ids = itertools.count(1)
        self._retry: threading.Timer | None = None

    def submit(self, kind: str, work: Callable[[Job], Any], owner: str = "", label: str = "",
               cost_bytes: int = 0) -> Job:
        """Queue work; it starts as soon as fewer than max_running jobs run. Raises JobRefused
        when the owner, the server's queue or its memory budget has no room for it."""
        with self._lock:
            self._check_room(owner, cost_bytes)
            job = Job(f"{kind}-{next(self._ids)}", kind, work, owner, label, cost_bytes, _manager=self)
            self._queue.append(job)
            self._start_waiting()
        return job

    def _check_room(self, owner: str, cost_bytes: int) -> None:
        """(caller holds the lock)"""
        unfinished = self._running + self._queue
        if owner and sum(j.owner == owner for j in unfinished) >= self.per_owner:
            raise JobRefused(f"You already have {self.per_owner} runs queued or running; wait for one to "
                             "finish (or stop one) before starting another.")
        if len(unfinished) >= self.max_waiting:
            raise JobRefused(f"The server is busy: {len(unfinished)} runs are queued or running, the most it "
                             "takes at once. Try again in a few minutes.")
        held = sum(j.cost_bytes for j in unfinished)
        if cost_bytes and held + cost_bytes > self.budget_bytes:
            raise JobRefused(f"The server's memory for training is taken by the runs already queued "
                             f"({held / 2**30:.1f} of {self.budget_bytes / 2**30:.0f} GB); this run needs "
                             f"{cost_bytes / 2**30:.1f} GB more. Try again when one has finished, or use a "
                             "smaller network or batch.")

    def position(self, job: Job) -> int:
        with self._lock:
            return self._queue.index(job) + 1 if job in self._queue else 0

    def jobs(self, owner: str | None = None, kind: str | None = None) -> list[Job]:
        """Running, queued then finished jobs (newest first), optionally one owner's or kind's."""
        with self._lock:
            every = self._running + self._queue + self._finished[::-1]
        return [j for j in every if (owner is None or j.owner == owner) and (kind is None or j.kind == kind)]

    def running_count(self) -> int:
        with self._lock:
            return len(self._running)

    def wait_all(self, timeout: float = 60.0) -> bool:
        """Block until nothing is queued or running (for tests and the CLI)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if not self._queue and not self._running:
                    return True
            time.sleep(0.02)
        return False

    def _drop_if_queued(self, job: Job) -> None:
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                self._finish(job, STOPPED)

    def _start_waiting(self) -> None:
        """Start queued jobs while there is room (caller holds the lock)."""
        while self._queue and len(self._running) < self.max_running:
            slot = self.slots.try_acquire() if self.slots is not None else None
            if self.slots is not None and slot is None:  # another process holds every slot
                self._retry_later()
                return
            job = self._queue.pop(0)
            job._slot = slot
            job.state, job.started = RUNNING, time.time()
            self._running.append(job)
            threading.Thread(target=self._run, args=(job,), name=job.id, daemon=True).start()

    def _run(self, job: Job) -> None:
        lower_priority()
        state = DONE
        try:
            job.result = job.work(job)
            if job.stop_requested:
                state = STOPPED
        except Exception as exc:  # the job's page shows the message; the server log the traceback
            job.error = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
            state = FAILED
        with self._lock:
            self._running.remove(job)
            if job._slot is not None:
                job._slot.release()
            self._finish(job, state)
            self._start_waiting()
        # A training frees hundreds of MB of batches and activations; without this, malloc
        # keeps them resident in the job thread's arena (explorer/server/memory.py).
        memory.trim()

    def _retry_later(self) -> None:
        """Look for a free slot again in a moment (caller holds the lock)."""
        if self._retry is None:
            self._retry = threading.Timer(SLOT_POLL_SECONDS, self._retry_now)
            self._retry.daemon = True
            self._retry.start()

    def _retry_now(self) -> None:
        with self._lock:
            self._retry = None
            self._start_waiting()

    def _finish(self, job: Job, state: str) -> None:
        job.state, job.finished = state, time.time()
        job._done.set()
        job.work = None  # let go of what the work held (a training run's dataset split)
        self._finished.append(job)
        del self._finished[: max(0, len(self._finished) - self.keep_finished)]


def max_jobs() -> int:
    """Trainings and comparisons at once: $CNN_EXPLORER_MAX_JOBS (default 2)."""
    return int(os.environ.get("CNN_EXPLORER_MAX_JOBS", "2"))


def lower_priority() -> None:
    """Raise the calling thread's nice value (Linux sets it per thread; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        # Relative to the server's own nice value: a server started with `nice` (a shared
        # machine, the README replay) must still put its trainings below its page runs.
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICE))
    except OSError:
        pass

"""Training slots shared by every app process of a lecture hall (files in the shared data folder).

CNN_EXPLORER_MAX_JOBS bounds the trainings running at once. One process counts its own jobs;
several processes behind a load balancer would each run that many. So a job also holds one of
`count` slot files (`slot-<i>.lock` in the shared folder) with an exclusive, non-blocking
fcntl.flock while it runs. The kernel releases a flock when its holder dies (SIGKILL, out of
memory, a crashed machine's NFS lease), so a dead process's slot frees itself: nothing to sweep.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from explorer.launch.paths import data_dir

FOLDER = "training-slots"


@dataclass(eq=False)
class Slot:
    """One held slot; `release()` lets it go (closing the descriptor drops the flock)."""

    index: int
    fd: int | None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@dataclass(frozen=True)
class SlotPool:
    """`count` slots in `folder`; every process that points at the same folder shares them."""

    folder: Path
    count: int

    @classmethod
    def shared(cls, count: int) -> SlotPool:
        """The pool in the data folder (data/training-slots), shared by processes that share it."""
        return cls(data_dir() / FOLDER, count)

    def try_acquire(self) -> Slot | None:
        """A free slot, held until released or until this process dies; None when all are taken."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for i in range(self.count):
            # A fresh open file description per attempt: flocks on two descriptions of one file
            # exclude each other even within one process (two jobs of one server).
            fd = os.open(self.folder / f"slot-{i}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # BlockingIOError: someone holds it
                os.close(fd)
                continue
            return Slot(i, fd)
        return None

    def busy(self) -> int:
        """How many slots some process holds now (a snapshot, for a page's caption)."""
        free = []
        while (slot := self.try_acquire()) is not None:
            free.append(slot)
        for slot in free:
            slot.release()
        return self.count - len(free)

"""An inter-process lock on a folder (fcntl.flock on a hidden lock file inside it).

Several app processes of one classroom server share data/models, so a thread lock is not
enough: two renames from two processes would otherwise write the same file at once. flock
locks belong to an open file description, so two threads of one process exclude each other
too. Readers take the shared lock, writers the exclusive one; the kernel releases a lock
when its holder dies, so a killed process never leaves the folder locked.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOCK_FILE = ".lock"


@contextmanager
def locked(folder: Path, shared: bool = False) -> Iterator[None]:
    """Hold `folder`'s lock (exclusive by default) for the length of the block."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock

"""Giving freed memory back to the system (glibc's malloc; elsewhere every call is a no-op).

Measured at 60 students over two app processes (bench/README.md "Memory: what an app process
holds"): of ~900 MB resident per process, 450-550 MB were malloc's heaps, and 200-300 MB of
those were free but kept by malloc. Many threads (a script run per click, torch's own threads)
spread their allocations over 16 arenas (glibc's default on 2 cores: 8 per core), and a freed
block between live ones stays resident until something calls malloc_trim. So:

- `limit_arenas` caps the arenas (M_ARENA_MAX, MALLOC_ARENA_MAX's setting); the app's launchers
  set the variable too, so that the cap holds from the process's first thread on;
- `trim` hands every whole free page of every arena back (malloc_trim(0)): background jobs call
  it when they finish (a FastNet training left ~80 MB held, ~20 MB after a trim) and `Trimmer`
  every few seconds while the server runs (~6 ms each).

Measured and not done: jemalloc (LD_PRELOAD) instead of glibc's malloc came to 1,619 MB for the
two processes, no better than one glibc arena (1,589 MB), for one more system package to
install. Nor a lower MALLOC_TRIM_THRESHOLD_: Dask's 65536 made every training epoch 2-5 times
slower (each freed batch buffer went back to the system and was faulted in again).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time
from dataclasses import dataclass

# Two app processes' peak RSS at 60 students: 1,819 MB with glibc's 16 arenas, 1,650 and 1,651 MB
# with 2 (and trims), 1,589 and 1,669 MB with 1: the same within the noise. But with one arena a
# training on the Train page waited on the page threads' allocations: click -> saved 3.6-4.5 s
# and 2.9-3.2 s with 2 or 16 (bench_train_page, bench/README.md). Two keep both.
ARENAS = 2
TRIM_EVERY_S = 5.0
_M_ARENA_MAX = -8  # <malloc.h>


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 - glibc only (musl, macOS have neither)
    except (OSError, AttributeError):
        return None
    libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
    libc.mallopt.argtypes, libc.mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return libc


_LIBC = _libc()


def arenas_setting() -> int:
    """The arena cap to use: $MALLOC_ARENA_MAX when set, else ARENAS."""
    value = os.environ.get("MALLOC_ARENA_MAX", "")
    return int(value) if value.isdigit() and int(value) > 0 else ARENAS


def environment() -> dict[str, str]:
    """What a launcher adds to the app's environment: glibc reads it at the process's start, so
    it holds for every thread (`limit_arenas`, from inside, only for threads started later)."""
    return {"MALLOC_ARENA_MAX": str(arenas_setting())}


def limit_arenas(n: int | None = None) -> bool:
    """Cap malloc's arenas for threads started from now on; whether it applied (glibc)."""
    return bool(_LIBC and _LIBC.mallopt(_M_ARENA_MAX, n or arenas_setting()))


def trim() -> bool:
    """Return the free pages of every malloc arena to the system; whether any was returned.
    ctypes lets go of the GIL meanwhile: Python threads keep running."""
    return bool(_LIBC and _LIBC.malloc_trim(0))


@dataclass
class TrimStats:
    trims: int = 0
    seconds: float = 0.0  # spent trimming, in total


class Trimmer(threading.Thread):
    """Trims every `every` seconds (a daemon thread; one per server, from explorer/ui/cached.py)."""

    def __init__(self, every: float = TRIM_EVERY_S):
        super().__init__(name="memory-trimmer", daemon=True)
        self.every, self.stats, self.stopped = every, TrimStats(), threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            t = time.perf_counter()
            trim()
            self.stats.trims += 1
            self.stats.seconds += time.perf_counter() - t

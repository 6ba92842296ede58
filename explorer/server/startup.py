"""A fresh app process draws its first page before its background threads import PyTorch.

The device probe and the class warm-up import PyTorch, Captum and the model registry (about 3 s
of Python on 2 cores) in threads of their own. Started by the first visit, they held the GIL and
the cores against that visit's page run and the browser drawing it: Home's title came about 0.8 s
later than with them waiting (bench/README.md, round 12). So they wait until the first page run
is over (app.py releases them, also after a run that stopped early), until someone needs their
result now (a page that trains asks the probe), or HOLD_SECONDS at most.
"""

from __future__ import annotations

import threading

HOLD_SECONDS = 5.0
_released = threading.Event()


def release() -> None:
    """Let the background threads start (idempotent, cheap: app.py calls it after every run)."""
    _released.set()


def wait_for_release() -> None:
    """A background thread's first line, before its imports: returns once released, or after
    HOLD_SECONDS."""
    _released.wait(HOLD_SECONDS)

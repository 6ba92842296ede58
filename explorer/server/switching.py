"""How often an app process's threads take turns holding Python's GIL.

Every student's page run is a thread of the one app process, beside the trainings' threads and
the event loop that sends the runs' messages. A thread that gives the GIL up for a moment
(a socket write, a lock, a PNG encoded outside the GIL) gets it back only when the thread
holding it lets go: by default after up to 5 ms (sys.getswitchinterval()). A Learn page's run
gives it up ~100 times (one websocket message per element, the media files), so with two
trainings and other students' runs busy it waited up to ~0.5 s for its own 20-60 ms of CPU.
At 1 ms the waits are five times shorter (bench/README.md, "Learn changes under load").
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL_S = 0.001


def share_often() -> None:
    """Set the process's GIL switch interval (idempotent; app.py calls it on every run)."""
    if sys.getswitchinterval() != SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)

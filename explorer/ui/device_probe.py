"""The training device, found in a background thread so the first page need not wait for torch.

Importing torch takes seconds on a small machine; Home and the sidebar show "checking…" and
fill the line in when the probe is done, while pages that train wait for it (`line(wait=…)`).
"""

from __future__ import annotations

import threading

from explorer.server import jobs, startup

_lock = threading.Lock()
_thread: threading.Thread | None = None
_result: dict[str, str] = {}


def start() -> None:
    """Start the probe once per server process."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_probe, name="device-probe", daemon=True)
            _thread.start()


def _probe() -> None:
    startup.wait_for_release()
    jobs.lower_priority()  # below the page runs and the browser beside them, as the warm-up is
    from explorer.train import device

    device.set_threads()  # once for the server: every later torch call uses this setting
    _result["line"] = device.describe()


def line(wait: float = 0.0) -> str | None:
    """'CPU, 2 threads (2 cores)', 'GPU: …'; None while still probing after `wait` seconds."""
    start()
    if wait and _thread is not None:
        startup.release()  # this page needs the answer now, not after its run
        _thread.join(wait)
    return _result.get("line")

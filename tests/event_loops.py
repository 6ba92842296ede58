"""Running a coroutine from a test, whatever else the test run holds."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def in_own_loop(coroutine):
    """asyncio.run on a thread of its own: in a full test run the session's Playwright driver
    keeps an event loop running on the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

"""torch's global random generator, shared by every thread of a server.

A process has one, and a server runs page runs and training jobs in threads. A job seeding it and
building its network while a page run drew from it (the Neurons page builds the course's network
on every run and seeds a dropout mask; sanity checks, SmoothGrad and the robustness score draw)
got other initial weights than the same seed gives alone: 37 of 50 builds with seed 0 differed
while the Neurons page's dropout table was redrawn in a loop (tests/test_random_state.py). The
page promises that the same seed and settings train the same network again.

So the app seeds and draws from it only inside `seeded` (or `drawing`), one thread at a time,
and every block leaves the generator as it found it. Left as it was: a training whose network
has dropout draws its masks throughout the run, outside any block (FastNet, the default, has
none), and so does the course's fully connected network on the comparison page; two such runs
at once, or one beside a seeded block, may differ from run to run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_lock = threading.RLock()


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Within the block torch's global generator starts from `seed` and no other thread seeds or
    draws from it; afterwards it is where it was before the block."""
    with _lock:
        state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        try:
            yield
        finally:
            torch.random.set_rng_state(state)


@contextmanager
def drawing() -> Iterator[None]:
    """Draws from the generator as it is (unseeded: SmoothGrad's noise differs from call to call),
    while no other thread seeds or draws from it."""
    with _lock:
        yield


def reseed(seed: int) -> None:
    """Seed the generator for what follows (a training's dropout masks), never in the middle of
    another thread's block."""
    with _lock:
        torch.manual_seed(seed)

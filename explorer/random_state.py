"""torch's global random generator, shared by every thread of a server.

A process has one, and a server runs page runs and training jobs in threads. A job seeding it and
building its network while a page run drew from it (the Neurons page builds the course's network
on every run and seeds a dropout mask; sanity checks, SmoothGrad and the robustness score draw)
got other initial weights than the same seed gives alone: 37 of 50 builds with seed 0 differed
while the Neurons page's dropout table was redrawn in a loop (tests/test_random_state.py). The
page promises that the same seed and settings train the same network again.

So the app seeds and draws from it only inside `seeded` (or a `Stream`'s `drawing`), one thread
at a time, and every block leaves the generator as it found it. Building a network draws its initial
weights, so a build whose weights are then replaced (a saved model opened) is such a block too.
A training whose network has dropout draws its masks on every step of the run: it keeps the
generator's state of its own in a `Stream` and lends it to the global generator for each
forward pass, so its masks are those of the same run alone, whatever other runs and page runs
draw in between (before, 4 of 4 dropout trainings run two at a time ended with other weights
than alone: tests/test_random_state.py).
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
    # torch.manual_seed seeds the GPUs' generators too: fork_rng puts theirs back as well.
    gpus = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    with _lock, torch.random.fork_rng(devices=gpus):
        torch.manual_seed(seed)
        yield


# (CPU state, the device's state or None): dropout on a GPU draws from that device's generator.
_States = tuple[torch.Tensor, torch.Tensor | None]


def _states(device: torch.device) -> _States:
    if device.type == "cuda":
        return torch.random.get_rng_state(), torch.cuda.get_rng_state(device)
    if device.type == "mps":
        return torch.random.get_rng_state(), torch.mps.get_rng_state()
    return torch.random.get_rng_state(), None


def _restore(device: torch.device, states: _States) -> None:
    torch.random.set_rng_state(states[0])
    if device.type == "cuda":
        torch.cuda.set_rng_state(states[1], device)
    elif device.type == "mps":
        torch.mps.set_rng_state(states[1])


class Stream:
    """One run's own sequence of draws from the global generator, for draws PyTorch makes only
    from it (dropout masks). Within `drawing()` the generator continues this run's sequence and
    no other thread seeds or draws; afterwards the generator is back where it was and the
    stream remembers where it stopped. The draws are those of the run alone: the same seed gives
    the same masks as `torch.manual_seed(seed)` followed by the run's steps."""

    def __init__(self, states: _States, device: torch.device) -> None:
        self._states, self._device = states, device

    @classmethod
    def starting(cls, seed: int, device: torch.device | str = "cpu") -> Stream:
        """The sequence `torch.manual_seed(seed)` starts."""
        with seeded(seed):
            return cls.here(device)

    @classmethod
    def here(cls, device: torch.device | str = "cpu") -> Stream:
        """The sequence as it goes on from the generator's present state: inside `seeded`, after
        the run's network was built, the draws that a run alone would make next."""
        device = torch.device(device)
        with _lock:
            return cls(_states(device), device)

    @contextmanager
    def drawing(self) -> Iterator[None]:
        with _lock:
            outside = _states(self._device)
            _restore(self._device, self._states)
            try:
                yield
            finally:
                self._states = _states(self._device)
                _restore(self._device, outside)

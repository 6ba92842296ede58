"""Results that do not depend on who asks, computed once for the whole class.

A class looks at the same saved models and the same test pictures: the attribution maps of a
model on a picture with given settings, its feature maps, its top-k search over the dataset are
the same for every student. `SharedResults` keeps them in one bounded LRU (by bytes, not by
count: a top-k search weighs a thousand times an attribution map) and makes concurrent requests
for one missing result wait on a single computation (single flight), so sixty students
stepping to the same picture cost one Captum call, not sixty.

Values are handed out shared, not copied: numpy arrays inside them are made read-only first,
so one session cannot change what another sees.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
_INTERRUPTED = object()  # the computation a request waited on was stopped, not failed


@dataclass
class Stats:
    hits: int = 0
    misses: int = 0  # computations started
    waits: int = 0  # requests that waited on another's computation instead of computing
    evictions: int = 0
    bytes: int = 0
    entries: int = 0


class _Flight:
    """One computation in progress; its waiters read the outcome when `done` is set."""

    def __init__(self):
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class SharedResults:
    """A bounded, thread-safe LRU of computed results with single-flight misses.

    max_bytes bounds the sum of the stored values' sizes (`size_of`); a value larger than
    max_bytes on its own is returned but not kept.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = int(max_bytes)
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._stats = Stats()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result for `key`: stored, or being computed by another thread (wait for it), or
        computed now by calling `compute()`. An error (an Exception) reaches every waiter and
        stores nothing; when the computing thread was interrupted instead (a BaseException: the
        web framework stopping that one request), a waiter computes the result itself."""
        while True:
            found = self._get_once(key, compute)
            if found is not _INTERRUPTED:
                return found

    def _get_once(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self._stats.hits += 1
                return self._entries[key][0]
            flight = self._flights.get(key)
            owner = flight is None
            if owner:
                flight = self._flights[key] = _Flight()
                self._stats.misses += 1
            else:
                self._stats.waits += 1
        if not owner:
            flight.done.wait()
            if flight.error is None:
                return flight.value
            if isinstance(flight.error, Exception):
                raise flight.error
            return _INTERRUPTED
        try:
            flight.value = frozen(compute())
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._flights[key]
                if flight.error is None:
                    self._store(key, flight.value)
            flight.done.set()
        return flight.value

    def _store(self, key: Hashable, value: Any) -> None:
        size = size_of(value)
        if size > self.max_bytes:
            return
        self._entries[key] = (value, size)
        self._stats.bytes += size
        while self._stats.bytes > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._stats.bytes -= dropped
            self._stats.evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._stats.bytes = 0

    def stats(self) -> Stats:
        with self._lock:
            return dataclasses.replace(self._stats, entries=len(self._entries))


def fingerprint(*parts: Any) -> str:
    """A short key for arrays and plain values (content, dtype and shape of each array): a
    computed picture or map names the results derived from it, whichever session made it."""
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        if isinstance(p, np.ndarray):
            h.update(f"{p.dtype}{p.shape}".encode())
            h.update(np.ascontiguousarray(p).data)
        else:
            h.update(repr(p).encode())
        h.update(b"|")
    return h.hexdigest()


def size_of(value: Any) -> int:
    """Bytes held by a result: numpy arrays and bytes exactly, containers and dataclasses as the
    sum of their fields, anything else a small constant (a number, a short string)."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, bytes | bytearray | str):
        return len(value)
    if isinstance(value, dict):
        return sum(size_of(k) + size_of(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(size_of(v) for v in value) + 8 * len(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(size_of(getattr(value, f.name)) for f in dataclasses.fields(value))
    nbytes = getattr(value, "nbytes", None)  # a pyarrow Table (explorer/ui/shared_charts.table)
    return nbytes if isinstance(nbytes, int) else 64


def frozen(value: T) -> T:
    """The same value with every numpy array in it read-only (shared between sessions)."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for v in value.values():
            frozen(v)
    elif isinstance(value, list | tuple):
        for v in value:
            frozen(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            frozen(getattr(value, f.name))
    return value

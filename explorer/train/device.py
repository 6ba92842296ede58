"""Which device trains: CUDA when present, else Apple MPS, else the CPU."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch


def pick() -> torch.device:
    """The best available device; every training and inference path uses this one."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe(device: torch.device | None = None) -> str:
    """One line for people: 'GPU: NVIDIA H100 (CUDA 12.8)', 'Apple GPU (MPS)', 'CPU, 2 threads'."""
    device = device or pick()
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)} (CUDA {torch.version.cuda})"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU, {torch.get_num_threads()} thread{'s' if torch.get_num_threads() != 1 else ''} ({os.cpu_count()} cores)"


def synchronize(device: torch.device) -> None:
    """Wait until the device has done the work queued on it: a GPU's calls return before their
    work is done, so a clock read right after one times the queueing, not the work."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def of_model(model: torch.nn.Module) -> torch.device:
    """Where the model's weights are (the CPU for a model without any)."""
    return next(iter(model.parameters()), next(iter(model.buffers()), torch.empty(0))).device


def reproducible(device: torch.device) -> None:
    """On a CUDA GPU, cuDNN's kernels that add in a fixed order, so that the same seed trains
    the same weights again (the Train page says so). Its default backward convolutions add in
    any order: on an H200 two runs of the default net with one seed ended up 0.7-0.8 apart in a
    weight, nearly as far as two seeds (1.2). The fixed order cost no measurable time there.
    The flag is process-wide and read at every call, so it is set for good, never put back:
    a run in another thread relies on it too."""
    if device.type == "cuda":
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


def set_threads(n: int | None = None) -> int:
    """Set torch's intra-op threads (default: $CNN_EXPLORER_THREADS or all cores) for this thread
    and as the count every thread that has not run torch yet starts with (the server's count,
    once: the device probe; the command line); returns it."""
    n = n or int(os.environ.get("CNN_EXPLORER_THREADS", 0)) or os.cpu_count() or 1
    with _threads_lock:
        torch.set_num_threads(max(1, n))
    return torch.get_num_threads()


# torch.set_num_threads writes two counts: the calling thread's own (OpenMP's is per thread) and a
# process-wide one that each thread copies at its first parallel operation (ATen's
# lazy_init_num_threads). A worker that set 1 for itself therefore made every later page run and
# training job of the server single-threaded (tests/test_threads.py). own_threads sets only the
# calling thread's.
_threads_lock = threading.Lock()  # two threads setting theirs at once would each put back the other's


def shared_threads() -> int:
    """The count a thread that has not run torch yet starts with (read by one that has not)."""
    out: list[int] = []
    reader = threading.Thread(target=lambda: out.append(torch.get_num_threads()), name="threads-read")
    reader.start()
    reader.join()
    return out[0]


def own_threads(n: int) -> None:
    """This thread's torch operations run on n threads from now on; other threads keep theirs,
    and threads that start later still get the server's count."""
    with _threads_lock:
        shared = shared_threads()
        torch.get_num_threads()  # this thread copies the shared count now, so it never copies it again later
        torch.set_num_threads(max(1, n))  # this thread's count, and (the side effect) the shared one...
        if shared != max(1, n):  # ...which a thread of its own puts back (its own copy ends with it)
            writer = threading.Thread(target=torch.set_num_threads, args=(shared,), name="threads-restore")
            writer.start()
            writer.join()


@contextmanager
def threads_here(n: int) -> Iterator[None]:
    """Within the block, this thread's torch operations run on n threads; afterwards on as many as
    before. Nothing changes for other threads."""
    before = torch.get_num_threads()
    own_threads(n)
    try:
        yield
    finally:
        own_threads(before)

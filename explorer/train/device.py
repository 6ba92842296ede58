"""Which device trains: CUDA when present, else Apple MPS, else the CPU."""

from __future__ import annotations

import os

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


def set_threads(n: int | None = None) -> int:
    """Set torch's intra-op threads (default: $CNN_EXPLORER_THREADS or all cores); returns it."""
    n = n or int(os.environ.get("CNN_EXPLORER_THREADS", 0)) or os.cpu_count() or 1
    torch.set_num_threads(max(1, n))
    return torch.get_num_threads()

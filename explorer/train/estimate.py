"""What a training run will cost, known before it is queued: time on this server and peak memory.

Computed from the network's shapes alone (PyTorch's meta device: no weights allocated, so even a
monstrous spec is measured for free) and the dataset's size:

  seconds = MACs per picture x (training pictures + test pictures / 3) x epochs / rate
  memory  = parameters x 16 bytes (weights, gradients, two Adam moments)
          + feature maps of one batch x 3 (outputs kept for backward, their gradients, scratch)
          + the dataset's pictures (the queued run holds its own split)

`rate` (forward MACs trained per second; a backward pass costs about two forwards) is measured on
the CPU (limits.TRAIN_MACS_PER_SECOND) and set per server with $CNN_EXPLORER_TRAIN_GMACS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from explorer import limits
from explorer.models import from_spec
from explorer.models.cost import Cost, TooCostly, check_model, cost  # noqa: F401 (re-export)


@dataclass(frozen=True)
class Estimate:
    cost: Cost
    seconds: float
    peak_bytes: int

    def sentence(self) -> str:
        return f"about {duration(self.seconds)} and {self.peak_bytes / 2**20:,.0f} MB of memory on this server"


def spec_cost(spec: dict, input_size) -> Cost:
    """The cost of a saved-model spec, measured on the meta device (nothing allocated); raises
    from_spec.SpecError (a sentence) for a spec that cannot be built."""
    with torch.device("meta"):
        return cost(from_spec.build(spec), input_size)


def rate() -> float:
    """Forward MACs trained per second on this server."""
    try:
        return float(os.environ["CNN_EXPLORER_TRAIN_GMACS"]) * 1e9
    except (KeyError, ValueError):
        return float(limits.TRAIN_MACS_PER_SECOND)


def estimate(c: Cost, n_train: int, n_test: int, epochs: int, batch_size: int, dataset_bytes: int) -> Estimate:
    seconds = c.macs * (n_train + n_test / 3) * epochs / rate()
    peak = c.params * 16 + c.activations * 4 * 3 * min(batch_size, max(n_train, 1)) + dataset_bytes
    return Estimate(c, seconds, int(peak))


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def check_run(e: Estimate) -> None:
    """Refuse a training run that would take too long or need too much memory (TooCostly)."""
    if e.seconds > limits.TRAIN_SECONDS:
        raise TooCostly(f"This run would take {duration(e.seconds)} on this server; a run may take up to "
                        f"{duration(limits.TRAIN_SECONDS)}. Use fewer epochs, a smaller network or "
                        "fewer pictures.")
    if e.peak_bytes > limits.TRAIN_BYTES:
        raise TooCostly(f"This run would need about {e.peak_bytes / 2**30:.1f} GB of memory; a run may use "
                        f"up to {limits.TRAIN_BYTES / 2**30:.0f} GB. Use a smaller batch, fewer channels or "
                        "smaller pictures.")

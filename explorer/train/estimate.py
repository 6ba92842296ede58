"""What a training run will cost, known before it is queued: time on this server and peak memory.

Computed from the network's shapes alone (PyTorch's meta device: no weights allocated, so even a
monstrous spec is measured for free) and the dataset's size:

  seconds = MACs per picture x (training pictures + test pictures / 3) x epochs / rate
  memory  = parameters x 16 bytes (weights, gradients, two Adam moments)
          + feature maps of one batch x 3 (outputs kept for backward, their gradients, scratch)
          + the dataset's pictures (the queued run holds its own split)

`rate` (forward MACs trained per second; a backward pass costs about two forwards) is a busy
server's single core (limits.TRAIN_MACS_PER_SECOND, set per server with $CNN_EXPLORER_TRAIN_GMACS):
deliberately slow, because it decides which runs are refused. What a student reads as the time
uses `measured_rate` instead: the network's own training steps timed on the device it trains on
(this CPU, or the GPU), because the one rate fits no network well (FastNet trains 10-16x faster
than it says on a CPU).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from explorer import limits, random_state
from explorer.models import from_spec
from explorer.models.cost import Cost, TooCostly, check_model, cost  # noqa: F401 (re-export)
from explorer.train import adversarial as fgsm
from explorer.train import device as devices
from explorer.train import optim, training


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


PROBE_SECONDS = 2.0  # the longest step measured_rate times, at the conservative rate (FastNet: 0.36 s, really ~15 ms)
# On a fresh server the first two steps build oneDNN's kernels and the optimizer's state
# (0.4-0.7 s and 0.01-0.34 s, against 10-30 ms after). Then steps go on for PROBE_SPREAD_SECONDS
# (at least two, PROBE_MAX_STEPS in all) and the fastest counts: a step timed while another program
# held a core (Chromium drawing this very page on a student's own laptop) waits in OpenMP's barrier
# for the descheduled thread. Three steps in all (one timed after the warm-ups) read 4-7x slow in
# 2 of 16 fresh servers ("about 31 s" for a 4.4-s run, then cached for ten minutes;
# bench/bench_estimate.py).
WARM_STEPS = 2
PROBE_EPSILON = 0.1  # an adversarial step costs the same whatever its epsilon
PROBE_SPREAD_SECONDS = 0.25
PROBE_MAX_STEPS = 30


def measured_rate(spec: dict, c: Cost, input_shape: tuple[int, ...], batch_size: int,
                  bf16: bool = False, adversarial: float = 0.0) -> float | None:
    """Forward MACs trained per second by this network here and now: a few training steps of
    one (batch, *input_shape) batch of noise on the device this server trains on (a GPU when
    there is one), the fastest timed (forward, loss, backward, update; with `adversarial` > 0
    that share of the batch first swapped for its FGSM pictures, as adversarial training does).
    None where the estimate should stay the conservative one: a step too long to time on a page
    rerun."""
    batch = max(2, min(batch_size, 256))  # batch-norm needs two pictures
    if c.macs * batch * 3 / rate() > PROBE_SECONDS:
        return None
    dev = devices.pick()
    # Its weights, noise and (where the network has dropout) masks come from torch's shared
    # generator: drawn in a block of their own, apart from a job's (explorer/random_state.py).
    with random_state.seeded(0):
        model = from_spec.build(spec).train().to(dev)
        fastest = _fastest_step(model, torch.randn(batch, *input_shape).to(dev), bf16, adversarial)
    return c.macs * batch / max(fastest, 1e-6)


def _fastest_step(model: torch.nn.Module, x: torch.Tensor, bf16: bool, adversarial: float = 0.0) -> float:
    """Seconds of the fastest of a few training steps of `model` on the batch x (N, C, H, W), both
    on one device."""
    # the update's cost too (the default recipe's optimizer; torch.optim would import the compiler)
    opt = optim.OneCycleAdamW(model.parameters(), max_lr=1e-3, total_steps=PROBE_MAX_STEPS, warmup=0.3,
                              weight_decay=0.0)
    y = torch.zeros(len(x), dtype=torch.long, device=x.device)
    # FGSM's pictures cost a forward and a backward of their share of the batch first: with half
    # of each batch, FastNet's runs on Sign Language Digits took 1.56-1.59x as long, and this
    # step 1.56x (bench/README.md, round 18)
    zero, one = torch.zeros(1, x.shape[1], 1, 1, device=x.device), torch.ones(1, x.shape[1], 1, 1, device=x.device)
    # as training computes: bfloat16 only on a CPU where it is faster (training.bf16_pays)
    autocast = (training.bf16_autocast(x.device) if bf16 else None) or contextlib.nullcontext()
    fastest, timed = float("inf"), 0.0
    for step in range(PROBE_MAX_STEPS):
        if step >= WARM_STEPS + 2 and timed >= PROBE_SPREAD_SECONDS:
            break
        devices.synchronize(x.device)
        start = time.perf_counter()
        xb = fgsm.mixed(model, x, y, PROBE_EPSILON, adversarial, zero, one) if adversarial > 0 else x
        with autocast:
            logits = model(xb)
        F.cross_entropy(logits.float(), y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        devices.synchronize(x.device)  # a GPU's calls return before their work is done
        took = time.perf_counter() - start
        fastest = min(fastest, took)
        timed += took if step >= WARM_STEPS else 0.0
    return fastest


def estimate(c: Cost, n_train: int, n_test: int, epochs: int, batch_size: int, dataset_bytes: int,
             macs_per_second: float | None = None) -> Estimate:
    """macs_per_second: measured_rate's; None: the conservative rate() that refusals use."""
    seconds = c.macs * (n_train + n_test / 3) * epochs / (macs_per_second or rate())
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

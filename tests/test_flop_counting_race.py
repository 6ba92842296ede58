"""A layer summary counting FLOPs on one thread must not break a Captum call on another.

torch's FlopCounterMode tracks modules with global hooks that reach every module running in the
process; at 60 students (bench/bench_protocol_load.py) Saliency failed inside autograd.grad while
the Maximal activations page traced a summary. explorer.models.summary.FLOP_COUNTING makes
them take turns."""

from __future__ import annotations

import threading
import time

import torch

from explorer import models
from explorer.inspect import attribution
from explorer.models.summary import summary


def test_saliency_while_another_thread_counts_flops():
    torch.manual_seed(0)
    explained = models.build("fastnet", in_channels=1, input_size=[32, 32], width=8).eval()
    traced = models.build("fastnet", in_channels=1, input_size=[32, 32], width=8)
    for p in explained.parameters():
        p.requires_grad_(False)
    stop, errors, done = threading.Event(), [], [0]

    def count_flops():
        while not stop.is_set():
            summary(traced, (1, 32, 32))

    counter = threading.Thread(target=count_flops)
    counter.start()
    try:
        end = time.monotonic() + 3
        while time.monotonic() < end:
            try:
                attribution.attribute(explained, torch.rand(1, 1, 32, 32), 3, "saliency")
                done[0] += 1
            except RuntimeError as exc:
                errors.append(str(exc)[:120])
    finally:
        stop.set()
        counter.join()
    assert not errors, errors[:3]
    assert done[0] > 0

"""A layer summary counting FLOPs on one thread must not break a Captum call on another.

torch's FlopCounterMode tracks modules with global hooks that reach every module running in the
process; at 60 students (bench/bench_protocol_load.py) Saliency failed inside autograd.grad while
the Maximal activations page traced a summary. A process-wide lock then made them take turns;
layer tables now count MACs from shapes (no global hooks), so neither waits for the other."""

from __future__ import annotations

import itertools
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


def test_a_layer_table_does_not_wait_for_another_sessions_attribution():
    """A layer table (Architectures, Maximal activations) is drawn while another student's
    occlusion map is still being computed (with the lock, it waited for the whole map)."""
    torch.manual_seed(0)
    # 128x128, not 64x64: the pool-first FastNet occludes a 64x64 picture in ~0.25 s here, about
    # the time this test gives the map to get under way (~2.3 s at 128x128)
    explained = models.build("fastnet", in_channels=1, input_size=[128, 128]).eval()
    started, finished = threading.Event(), threading.Event()

    def occlude():
        started.set()
        attribution.attribute(explained, torch.rand(1, 1, 128, 128), 3, "occlusion",
                              window=4, stride=1, perturbations_per_eval=64)
        finished.set()

    worker = threading.Thread(target=occlude)
    worker.start()
    try:
        started.wait(10)
        time.sleep(0.3)  # the occlusion is under way (it takes seconds)
        assert not finished.is_set()
        summary(models.build("fastnet"), (1, 64, 64))
        assert not finished.is_set(), "the layer table waited for the occlusion map"
    finally:
        worker.join()


def test_attributions_of_two_sessions_take_turns():
    """Two sessions' Captum calls run one after the other, each with all of torch's threads,
    rather than side by side sharing the cores (each then finished late: bench/README.md)."""
    torch.manual_seed(0)
    model = models.build("fastnet", in_channels=1, input_size=[64, 64]).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    passes: list[str] = []  # the thread of every forward pass, in order
    model.register_forward_hook(lambda m, a, o: passes.append(threading.current_thread().name))

    def occlude():
        attribution.attribute(model, torch.rand(1, 1, 64, 64), 3, "occlusion", window=8, stride=4,
                              perturbations_per_eval=16)

    threads = [threading.Thread(target=occlude, name=n) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    switches = sum(a != b for a, b in itertools.pairwise(passes))
    assert set(passes) == {"alice", "bob"} and switches == 1, passes

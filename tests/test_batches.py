"""Batches prepared a few at a time (explorer/train/batches.py) train the very weights that
preparing each batch alone trains: the 4-epoch accuracy moves by a point with any last-bit change."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from explorer import models
from explorer.data import datasets
from explorer.data.types import Dataset
from explorer.models import fastnet
from explorer.train import augment, batches, training

NATIVE_BF16 = training.native_bf16()


@pytest.mark.parametrize("shape", [(32, 1, 64, 64), (5, 3, 33, 31), (7, 2, 9, 9)])
@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
def test_pool_2x2_is_avg_pool2d_bit_for_bit(shape, layout):
    x = (torch.randn(shape) * torch.rand(shape) ** 8).contiguous(memory_format=layout)  # tiny values too
    ours, theirs = batches.pool_2x2(x), F.avg_pool2d(x, 2)
    assert torch.equal(ours, theirs) and ours.stride() == theirs.stride()


@pytest.mark.parametrize("n, batch, steps, chunk", [(160, 32, 5, 2), (42, 7, 6, 4), (30, 40, 1, 8)])
def test_a_chunk_of_batches_is_each_batch_made_alone(n, batch, steps, chunk):
    """Gathered, moved and pooled several at once: each batch as the loop used to make it,
    and the generator left where the per-batch draws leave it (the next epoch's order).
    (30, 40, ...): fewer pictures than a batch, one batch of all of them."""
    x, y = torch.randn(200, 1, 64, 64), torch.arange(200)
    order = torch.randperm(200)[:n]
    gen, ref_gen = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    made = list(batches.prepared(x, y, order, steps, batch, (0.1, 10.0), gen, batches.pool_2x2, chunk))
    assert len(made) == steps
    for step, (xb, yb) in enumerate(made):
        idx = order[step * batch:(step + 1) * batch]
        alone = F.avg_pool2d(augment.random_affine(x[idx], 0.1, 10.0, ref_gen), 2)
        assert torch.equal(xb, alone) and torch.equal(yb, y[idx])
    assert torch.equal(gen.get_state(), ref_gen.get_state())


def test_only_a_plain_sequential_starting_with_an_average_pool_is_pooled_apart():
    net = models.build("fastnet", in_channels=1, num_classes=10, input_size=[64, 64])
    assert batches.leading_pool(net) is batches.pool_2x2
    assert batches.leading_pool(models.build("fastnet", in_channels=1, num_classes=10, input_size=[8, 8])) is None
    net.register_forward_hook(lambda *a: None)  # the whole model's hook would never fire
    assert batches.leading_pool(net) is None


@pytest.fixture(scope="module")
def big_digits():
    """The bundled 8x8 digits blown up to 64x64 (FastNet's size, so it starts with its pool)."""
    train, test = datasets.split(datasets.load("digits"))

    def big(ds: Dataset, n: int) -> Dataset:
        return Dataset(ds.name, np.kron(ds.images[:n], np.ones((1, 1, 8, 8), np.float32)), ds.labels[:n], ds.classes)
    return big(train, 400), big(test, 100)


def _run(cfg, data, net, chunk, monkeypatch, per_batch=False, stop_after=None):
    """The Finished event and the step losses; per_batch: the loop as it was, every batch
    prepared alone and the whole model called on it (a hook makes the loop keep the pool)."""
    monkeypatch.setattr(batches, "CHUNK", chunk)
    if per_batch:
        net.register_forward_hook(lambda *a: None)
    losses = []
    stop = (lambda: len(losses) >= stop_after) if stop_after else (lambda: False)
    for ev in training.train(cfg, *data, net, stop):
        if isinstance(ev, training.Step):
            losses.append(ev.loss)
    return ev, losses


def _net(layout: str):
    """FastNet at 64x64 in its layout ("pool_first") or its earlier one ("earlier")."""
    torch.manual_seed(0)
    options = {"pool_first": True, "dropout": 0.0} if layout == "pool_first" else fastnet.SAVED_BEFORE
    return models.build("fastnet", in_channels=1, num_classes=10, input_size=[64, 64], width=8, **options)


@pytest.mark.parametrize("layout", ["pool_first", "earlier"])
@pytest.mark.parametrize("bf16", [False, True] if NATIVE_BF16 else [False])
@pytest.mark.parametrize("stop_after", [None, 13])  # 13: part-way through a chunk of epoch 2
def test_chunked_training_gives_the_per_batch_weights_bit_for_bit(big_digits, monkeypatch, layout, bf16, stop_after):
    monkeypatch.setattr(training, "bf16_pays", training.native_bf16)  # the bfloat16 path also without AMX
    cfg = training.TrainConfig(epochs=2, batch_size=32, lr=0.04, label_smoothing=0.2, bf16=bf16,
                               threads=1, seed=3, device="cpu")
    alone, alone_losses = _run(cfg, big_digits, _net(layout), 1, monkeypatch, per_batch=True, stop_after=stop_after)
    chunked, losses = _run(cfg, big_digits, _net(layout), 4, monkeypatch, stop_after=stop_after)
    assert chunked.stopped == alone.stopped == (stop_after is not None)
    figures = [[{k: v for k, v in row.items() if k != "seconds"} for row in run.history] for run in (chunked, alone)]
    assert losses == alone_losses and figures[0] == figures[1]
    assert (chunked.test_accuracy, chunked.validation_accuracy, chunked.best_epoch) == \
           (alone.test_accuracy, alone.validation_accuracy, alone.best_epoch)
    mine, theirs = chunked.model.state_dict(), alone.model.state_dict()
    assert all(torch.equal(mine[k], theirs[k]) for k in theirs)

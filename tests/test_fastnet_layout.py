"""FastNet's layer order: new runs max-pool before batch-norm and ReLU (issue 21, cheaper), and
models saved before, whose spec does not say so, still open as the network they were trained as."""

from __future__ import annotations

import torch
from torch import nn

from explorer import registry
from explorer.data import datasets
from explorer.models import from_spec
from explorer.train import recipes
from tests.test_registry import card_for


def kinds(model: nn.Module) -> list[type]:
    return [type(m) for m in model.children()]


def test_a_new_run_pools_before_batch_norm_and_reopens_as_trained(tmp_path):
    spec = recipes.model_spec("fastnet", datasets.load("digits"))
    assert spec["options"]["pool_first"] is True  # saved in meta.json with the weights
    torch.manual_seed(0)
    model = from_spec.build(spec).eval()
    assert kinds(model)[:4] == [nn.Conv2d, nn.MaxPool2d, nn.BatchNorm2d, nn.ReLU]
    saved = registry.save(model, card_for(spec, "new"), tmp_path)
    loaded, _ = registry.load(saved.id, tmp_path)
    x = torch.rand(4, 1, 8, 8)
    assert kinds(loaded)[:4] == kinds(model)[:4]
    assert torch.equal(loaded(x), model(x))


def test_a_model_saved_before_keeps_its_layer_order(tmp_path):
    old_spec = {"architecture": "fastnet", "options": {"in_channels": 1, "num_classes": 10, "input_size": [8, 8]}}
    torch.manual_seed(0)
    old = from_spec.build(old_spec).eval()
    assert kinds(old)[:4] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d]
    saved = registry.save(old, card_for(old_spec, "old"), tmp_path)
    loaded, _ = registry.load(saved.id, tmp_path)
    x = torch.rand(4, 1, 8, 8)
    assert torch.equal(loaded(x), old(x))
    # The new order's batch-norms sit at other positions: the old weights would not fit it.
    new = from_spec.build(recipes.model_spec("fastnet", datasets.load("digits")))
    assert set(new.state_dict()) != set(old.state_dict())

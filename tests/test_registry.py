"""The model registry: atomic saves, listing, loading, rename, delete, export and validated import."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch
from safetensors.torch import save as st_save

from explorer import models
from explorer.data import datasets
from explorer.models import builder, from_spec
from explorer.saved import registry
from explorer.saved.model_card import ModelCard
from explorer.train import recipes
from tests import hostile_corpus

LAYERS = [{"type": "conv", "channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
          {"type": "maxpool", "size": 2}, {"type": "dense", "units": 8}]


def card_for(spec, name="m", **changes) -> ModelCard:
    return ModelCard.from_json({**meta_for(spec, name), **changes})


def meta_for(spec, name="m"):
    c = spec.get("input_size", [1, 8, 8])[0] if spec["architecture"] == "custom" else spec["options"]["in_channels"]
    return {"name": name, "architecture": spec["architecture"], "spec": spec, "dataset": "digits",
            "split": {"test_size": 0.2, "random_state": 8}, "classes": [str(i) for i in range(10)],
            "input_size": [c, 8, 8], "normalisation": {"mean": [0.3] * c, "std": [0.4] * c},
            "history": [{"epoch": 1, "test_accuracy": 0.5}], "test_accuracy": 0.5, "train_seconds": 1.0,
            "epochs": 1}


def saved_custom(root, name="m", filters=True):
    spec = builder.spec(LAYERS, [1, 8, 8], 10)
    torch.manual_seed(0)
    model = from_spec.build(spec)
    snaps = np.random.default_rng(0).normal(size=(3, 4, 1, 3, 3)).astype(np.float32) if filters else None
    return model, registry.save(model, card_for(spec, name), root, filters=snaps)


def test_save_list_load_round_trip(tmp_path):
    model, saved = saved_custom(tmp_path)
    assert (saved.path / "weights.safetensors").is_file() and (saved.path / "meta.json").is_file()
    assert [m.id for m in registry.list_models(tmp_path)] == [saved.id]
    loaded, card = registry.load(saved.id, tmp_path)
    x = torch.rand(5, 1, 8, 8)
    assert torch.equal(loaded(x), model.eval()(x))
    assert card.name == "m" and card.params == sum(p.numel() for p in model.parameters())
    assert card.created and card.filter_snapshots.count == 3
    assert registry.load_filters(saved.id, tmp_path).shape == (3, 4, 1, 3, 3)


def test_fastnet_round_trip_and_newest_first(tmp_path):
    spec = {"architecture": "fastnet", "options": {"in_channels": 1, "num_classes": 10, "input_size": [8, 8]}}
    model = from_spec.build(spec)
    first = registry.save(model, card_for(spec, "first"), tmp_path)
    second = registry.save(model, card_for(spec, "second", created="2999-01-01T00:00:00+00:00"), tmp_path)
    assert [m.card.name for m in registry.list_models(tmp_path)] == ["second", "first"]
    loaded, _ = registry.load(first.id, tmp_path)
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), model.state_dict().values()))
    assert second.id != first.id


def test_a_fastnet_saved_with_the_earlier_layout_still_loads_as_it_was_trained(tmp_path):
    """Specs saved before FastNet pooled first (2026-12-02) do not name the layout: their weights
    belong to conv -> batch-norm -> ReLU -> max-pool, and must load into that order."""
    spec = {"architecture": "fastnet", "options": {"in_channels": 1, "num_classes": 10, "input_size": [8, 8]}}
    torch.manual_seed(0)
    earlier = models.build("fastnet", **spec["options"], pool_first=False, dropout=0.1)
    with torch.no_grad():  # trained-looking batch-norm statistics, so the two layouts differ
        for m in earlier.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1), m.running_var.uniform_(0.5, 2), m.weight.uniform_(-1, 1)
    saved = registry.save(earlier, card_for(spec, "before"), tmp_path)
    loaded, _ = registry.load(saved.id, tmp_path)
    x = torch.rand(4, 1, 8, 8)
    assert torch.equal(loaded(x), earlier.eval()(x))
    assert [type(m).__name__ for m in loaded][:4] == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]


def test_a_fastnet_trained_now_records_its_layout_in_its_spec(tmp_path):
    spec = recipes.model_spec("fastnet", datasets.load("digits"))
    assert spec["options"]["pool_first"] is True and spec["options"]["dropout"] == 0.0
    model = from_spec.build(spec)
    saved = registry.save(model, card_for(spec, "now"), tmp_path)
    loaded, _ = registry.load(saved.id, tmp_path)
    assert [type(m).__name__ for m in loaded][:3] == ["Conv2d", "MaxPool2d", "BatchNorm2d"]


def test_unfinished_and_broken_folders_are_not_listed(tmp_path):
    _, saved = saved_custom(tmp_path)
    (tmp_path / ".tmp-half-written").mkdir()
    (tmp_path / ".tmp-half-written" / "weights.safetensors").write_bytes(b"partial")
    (tmp_path / "no-meta").mkdir()
    (tmp_path / "no-meta" / "weights.safetensors").write_bytes(b"x")
    assert [m.id for m in registry.list_models(tmp_path)] == [saved.id]


def test_a_failed_save_leaves_nothing(tmp_path, monkeypatch):
    def explode(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(registry, "save_file", explode)
    with pytest.raises(OSError):
        saved_custom(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_rename_and_delete(tmp_path):
    _, saved = saved_custom(tmp_path)
    renamed = registry.rename(saved.id, "  Lesson 3 model ", tmp_path)
    assert renamed.id == saved.id and registry.list_models(tmp_path)[0].card.name == "Lesson 3 model"
    with pytest.raises(registry.RegistryError, match="1 to 80"):
        registry.rename(saved.id, "   ", tmp_path)
    registry.delete(saved.id, tmp_path)
    assert registry.list_models(tmp_path) == [] and not (tmp_path / saved.id).exists()
    with pytest.raises(registry.RegistryError, match="no saved model"):
        registry.load(saved.id, tmp_path)
    with pytest.raises(registry.RegistryError):
        registry.load("../etc", tmp_path)


def test_a_deleted_model_waits_in_the_trash_then_goes(tmp_path, monkeypatch):
    _, saved = saved_custom(tmp_path, "keep me")
    registry.delete(saved.id, tmp_path)
    assert [(t.id, t.name) for t in registry.trash(tmp_path)] == [(saved.id, "keep me")]
    assert registry.restore(saved.id, tmp_path).name == "keep me"  # undo
    assert [m.id for m in registry.list_models(tmp_path)] == [saved.id] and registry.trash(tmp_path) == []
    registry.load(saved.id, tmp_path)
    registry.delete(saved.id, tmp_path)
    monkeypatch.setattr(registry, "TRASH_SECONDS", -1)  # a day later
    assert registry.trash(tmp_path) == [] and not any((tmp_path / ".trash").iterdir())
    with pytest.raises(registry.RegistryError, match="not in the trash"):
        registry.restore(saved.id, tmp_path)


def test_export_then_import_elsewhere(tmp_path):
    model, saved = saved_custom(tmp_path / "a", "shared")
    data = registry.export_bytes(saved.id, tmp_path / "a")
    imported = registry.import_bytes(data, tmp_path / "b")
    loaded, card = registry.load(imported.id, tmp_path / "b")
    x = torch.rand(3, 1, 8, 8)
    assert torch.equal(loaded(x), model.eval()(x))
    assert card.name == "shared" and card.imported and card.classes == saved.card.classes
    assert np.array_equal(registry.load_filters(imported.id, tmp_path / "b"),
                          registry.load_filters(saved.id, tmp_path / "a"))


def _exported(tmp_path):
    _, saved = saved_custom(tmp_path / "src")
    return registry.export_bytes(saved.id, tmp_path / "src")


def _refused(data, root, match):
    with pytest.raises(registry.RegistryError, match=match):
        registry.import_bytes(data, root)
    assert not root.exists() or list(root.iterdir()) == []  # nothing written


def test_import_refuses_pickles_and_junk(tmp_path):
    root = tmp_path / "dst"
    _refused(pickle.dumps({"weights": [1, 2, 3]}), root, "pickle")
    import io
    buf = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, buf)
    _refused(buf.getvalue(), root, "pickle")
    _refused(b"hello, this is not a model at all", root, "not a valid .safetensors")
    _refused(b"", root, "empty")
    plain = st_save({"w": torch.zeros(2)})
    _refused(plain, root, "no CNN Explorer description")


def test_import_refuses_a_tampered_file(tmp_path):
    data = _exported(tmp_path)
    root = tmp_path / "dst"
    _refused(data[:-10], root, "damaged|not a valid")  # truncated
    header, body = hostile_corpus.split_header(data)
    header["__metadata__"]["cnn_explorer_meta"] = "{not json"
    _refused(hostile_corpus.join_header(header, body), root, "not valid JSON")
    header, body = hostile_corpus.split_header(data)
    key = next(k for k in header if k != "__metadata__")
    header[key]["data_offsets"][1] += 4  # offsets that no longer match the data
    _refused(hostile_corpus.join_header(header, body), root, "not a valid")


def test_import_refuses_weights_that_do_not_match_the_spec(tmp_path):
    data = _exported(tmp_path)
    root = tmp_path / "dst"
    header, _ = hostile_corpus.split_header(data)
    meta = json.loads(header["__metadata__"]["cnn_explorer_meta"])
    # same file, but the description now claims 8 channels in the first convolution
    meta["spec"]["layers"][0]["channels"] = 8
    tensors = {k: torch.zeros(v["shape"], dtype=torch.float32 if v["dtype"] == "F32" else torch.int64)
               for k, v in header.items() if k != "__metadata__"}
    bad = st_save(tensors, metadata={"cnn_explorer_meta": json.dumps(meta)})
    _refused(bad, root, "do not match")
    # a spec the app cannot build at all
    meta["spec"], meta["architecture"] = {"architecture": "resnet9000", "options": {}}, "resnet9000"
    _refused(st_save(tensors, metadata={"cnn_explorer_meta": json.dumps(meta)}), root, "Unknown architecture")
    # a description that names two different architectures
    meta["architecture"] = "fastnet"
    _refused(st_save(tensors, metadata={"cnn_explorer_meta": json.dumps(meta)}), root, "two different architectures")
    # missing keys and NaN weights
    meta = json.loads(header["__metadata__"]["cnn_explorer_meta"])
    _refused(st_save({k: v for k, v in list(tensors.items())[1:]},
                     metadata={"cnn_explorer_meta": json.dumps(meta)}), root, "missing")
    nan = {k: torch.full_like(v, float("nan")) if v.is_floating_point() else v for k, v in tensors.items()}
    _refused(st_save(nan, metadata={"cnn_explorer_meta": json.dumps(meta)}), root, "NaN")
    del meta["classes"]
    _refused(st_save(tensors, metadata={"cnn_explorer_meta": json.dumps(meta)}), root, "lacks classes")


def test_a_valid_file_whose_header_length_starts_like_a_pickle_is_accepted(tmp_path):
    """A header length of 0x..80 makes a safetensors file start with the pickle byte 0x80."""
    for n in range(1, 300):
        _, saved = saved_custom(tmp_path / "src", name="x" * n, filters=False)
        data = registry.export_bytes(saved.id, tmp_path / "src")
        if data[0] == 0x80:
            break
    assert data[0] == 0x80
    assert registry.import_bytes(data, tmp_path / "dst").card.name == "x" * n

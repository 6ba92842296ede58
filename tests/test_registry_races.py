"""Renames, deletes, restores and exports of saved models racing in real, separate processes
(several app processes of one classroom server share data/models): no model is lost or
corrupted, and every failure is a sentence (RegistryError), never FileNotFoundError."""

from __future__ import annotations

import json
import multiprocessing as mp
import traceback

import pytest

from explorer.saved import registry
from tests.test_registry import saved_custom

WORKERS = 8
ROUNDS = 60  # 8 x 60 = 480 racing operations per test (the issue saw 41 losses in 200)


def _worker(root: str, ids: list[str], ops: str, me: int, start, out) -> None:
    """Waits for the start signal, then runs ROUNDS operations; reports every failure."""
    failures = []
    start.wait()
    for n in range(ROUNDS):
        model_id = ids[(me + n) % len(ids)]
        op = ops[(me + n) % len(ops)]
        try:
            if op == "r":
                registry.rename(model_id, f"name {me}-{n}", root)
            elif op == "d":
                registry.delete(model_id, root)
            elif op == "u":
                registry.restore(model_id, root)
            elif op == "e":
                data = registry.export_bytes(model_id, root)
                assert data[:8] and len(data) > 100
            elif op == "l":
                for m in registry.list_models(root):
                    json.dumps(m.card.to_json())
        except registry.RegistryError:
            pass  # a sentence for people: "it was deleted meanwhile" is a fair answer in a race
        except BaseException:
            failures.append(traceback.format_exc(limit=3))
    out.put(failures)


def _race(root, ids: list[str], ops: str) -> list[str]:
    ctx = mp.get_context("fork")  # the registry needs no torch threads, and fork starts in ms
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(root), ids, ops, k, start, out)) for k in range(WORKERS)]
    for p in procs:
        p.start()
    start.set()
    failures = [f for _ in procs for f in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
    return failures


def _meta_files_are_whole(root) -> None:
    for meta in root.glob("*/meta.json"):
        json.loads(meta.read_text())  # never half-written by two renames at once


def test_200_racing_renames_lose_nothing(tmp_path):
    _, saved = saved_custom(tmp_path, "original")
    failures = _race(tmp_path, [saved.id], "rrrrrrrel")
    assert failures == [], failures[0]
    listed = registry.list_models(tmp_path)
    assert [m.id for m in listed] == [saved.id], "the model vanished from the list"
    assert listed[0].name.startswith("name ")
    _meta_files_are_whole(tmp_path)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")], "temporary files left"


def test_racing_delete_restore_rename_export_never_raise_file_errors(tmp_path):
    ids = [saved_custom(tmp_path, f"m{k}")[1].id for k in range(3)]
    failures = _race(tmp_path, ids, "rdeurle")
    assert failures == [], failures[0]
    _meta_files_are_whole(tmp_path)
    for model_id in ids:  # each model is whole in the list or whole in the trash, never lost
        listed = model_id in [m.id for m in registry.list_models(tmp_path)]
        trashed = model_id in [t.id for t in registry.trash(tmp_path)]
        assert listed != trashed, (model_id, listed, trashed)
        if trashed:
            registry.restore(model_id, tmp_path)
        registry.load(model_id, tmp_path)


@pytest.mark.parametrize("ops", ["r", "e"])
def test_a_race_against_a_deleted_model_is_a_sentence(tmp_path, ops):
    _, saved = saved_custom(tmp_path)
    registry.delete(saved.id, tmp_path)
    with pytest.raises(registry.RegistryError, match="deleted"):
        if ops == "r":
            registry.rename(saved.id, "x", tmp_path)
        else:
            registry.export_bytes(saved.id, tmp_path)

"""Saved models on disk: one folder per model with `weights.safetensors` and `meta.json`.

A folder is written under a temporary name and renamed when complete, so a crash never leaves
half a model that `list_models` would show (it removes what a killed process left behind).
Nothing here unpickles: weights are safetensors, metadata is JSON, and a model is rebuilt from
its spec (explorer/models/from_spec.py) before its weights are loaded, so an upload can only
ever become one of the app's own architectures. meta.json holds a ModelCard
(explorer/model_card.py): every reader gets the checked card, never the raw JSON.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import load_file, save_file
from safetensors.torch import save as st_save
from torch import nn

from explorer import atomic, limits
from explorer.model_card import CardError, FilterSnapshots, ModelCard
from explorer.models import from_spec
from explorer.paths import data_dir

WEIGHTS, META, FILTERS = "weights.safetensors", "meta.json", "filters.safetensors"
META_KEY = "cnn_explorer_meta"  # safetensors header metadata of an exported file
FILTERS_KEY = "__filter_snapshots__"  # the snapshots' tensor inside an exported file
MAX_UPLOAD = limits.MODEL_BYTES


class RegistryError(ValueError):
    """A model that cannot be saved, found or accepted; str(error) is a sentence for people."""


@dataclass(frozen=True)
class SavedModel:
    id: str  # the folder name
    path: Path
    card: ModelCard

    @property
    def name(self) -> str:
        return self.card.name


def models_dir() -> Path:
    return data_dir() / "models"


def _root(root) -> Path:
    return Path(root) if root is not None else models_dir()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _rebuild(spec: dict) -> nn.Module:
    """A fresh model from a card's spec; RegistryError (a sentence) when it cannot be built."""
    try:
        return from_spec.build(spec)
    except from_spec.SpecError as exc:
        raise RegistryError(str(exc)) from exc


# ---- save, list, load -----------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "model"


def _tensors(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}


def save(model: nn.Module, card: ModelCard, root=None, filters: np.ndarray | None = None) -> SavedModel:
    """Write a model atomically; returns it. `filters`: first-layer snapshots (E, out, in, k, k).
    The card gets its creation time, parameter count and snapshot description here."""
    root = _root(root)
    root.mkdir(parents=True, exist_ok=True)
    has_filters = filters is not None and len(filters) > 0
    card = card.replace(
        created=card.created or now_iso(),
        params=card.params or sum(p.numel() for p in model.parameters()),
        filter_snapshots=FilterSnapshots(FILTERS, int(len(filters)), tuple(np.shape(filters)[1:]))
        if has_filters else None)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    model_id = f"{stamp}-{_slug(card.name)}-{uuid.uuid4().hex[:6]}"
    tmp = root / atomic.tmp_name(model_id)
    tmp.mkdir()
    try:
        save_file(_tensors(model), str(tmp / WEIGHTS), metadata={"format": "pt"})
        if has_filters:
            save_file({"filters": torch.as_tensor(np.ascontiguousarray(filters, dtype=np.float32))},
                      str(tmp / FILTERS))
        (tmp / META).write_text(_card_json(card))
        os.replace(tmp, root / model_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SavedModel(model_id, root / model_id, card)


def _card_json(card: ModelCard) -> str:
    return json.dumps(card.to_json(), indent=1, default=_json_default)


def _json_default(obj):
    if isinstance(obj, (np.integer, np.floating)):
        return obj.item()
    if isinstance(obj, (np.ndarray, tuple)):
        return list(obj.tolist() if isinstance(obj, np.ndarray) else obj)
    raise TypeError(f"{type(obj).__name__} is not JSON")


def _read(folder: Path) -> SavedModel | None:
    try:
        if not (folder / WEIGHTS).is_file():
            return None
        card = ModelCard.from_json(json.loads((folder / META).read_text()))
    except (OSError, ValueError, RecursionError):  # CardError is a ValueError
        return None
    return SavedModel(folder.name, folder, card)


def list_models(root=None) -> list[SavedModel]:
    """Complete saved models, newest first (temporary and broken folders are skipped)."""
    root = _root(root)
    if not root.is_dir():
        return []
    atomic.sweep(root)  # half-written folders of a process that was killed mid-save
    found = [m for d in root.iterdir() if d.is_dir() and not d.name.startswith(".") for m in [_read(d)] if m]
    return sorted(found, key=lambda m: (m.card.created, m.id), reverse=True)


def get(model_id: str, root=None) -> SavedModel:
    if not isinstance(model_id, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", model_id):
        raise RegistryError(f"{model_id!r} is not a saved model's id.")
    found = _read(_root(root) / model_id)
    if found is None:
        raise RegistryError(f"There is no saved model {model_id!r} (it may have been deleted).")
    return found


def load(model_id: str, root=None) -> tuple[nn.Module, ModelCard]:
    """(model in eval mode on the CPU, card) rebuilt from the spec; weights from safetensors."""
    saved = get(model_id, root)
    model = _rebuild(saved.card.spec)
    try:
        state = load_file(str(saved.path / WEIGHTS))
    except (SafetensorError, OSError) as exc:
        raise RegistryError(f"The weights of {saved.name!r} cannot be read: the file is damaged.") from exc
    _check_state(model, state)
    model.load_state_dict(state)
    return model.eval(), saved.card


def load_filters(model_id: str, root=None) -> np.ndarray | None:
    """First-layer filters after each epoch (index 0: before training): (E, out, in, k, k)."""
    saved = get(model_id, root)
    if not (saved.path / FILTERS).is_file():
        return None
    return load_file(str(saved.path / FILTERS))["filters"].numpy()


def rename(model_id: str, new_name: str, root=None) -> SavedModel:
    """Change the display name (the folder, i.e. the id, stays)."""
    new_name = (new_name or "").strip()
    if not new_name or len(new_name) > 80:
        raise RegistryError("A model name needs 1 to 80 characters.")
    saved = get(model_id, root)
    card = saved.card.replace(name=new_name)
    tmp = saved.path / f".{META}.tmp"
    tmp.write_text(_card_json(card))
    os.replace(tmp, saved.path / META)
    return SavedModel(saved.id, saved.path, card)


def delete(model_id: str, root=None) -> None:
    saved = get(model_id, root)
    trash = saved.path.with_name(f".deleted-{saved.id}")
    os.replace(saved.path, trash)  # disappears from list_models at once, even if rmtree is slow
    shutil.rmtree(trash, ignore_errors=True)


# ---- one-file export and validated import ---------------------------------------------------

def export_bytes(model_id: str, root=None) -> bytes:
    """The model as one .safetensors file: weights (+ filter snapshots) with the meta JSON in
    its header metadata."""
    saved = get(model_id, root)
    tensors = load_file(str(saved.path / WEIGHTS))
    filters = load_filters(model_id, root)
    if filters is not None:
        tensors[FILTERS_KEY] = torch.as_tensor(filters)
    return st_save(tensors, metadata={"format": "pt", META_KEY: _card_json(saved.card)})


def import_bytes(data: bytes, root=None) -> SavedModel:
    """Check an uploaded file completely, then save it as a new model. RegistryError says why a
    file was refused; nothing is written then."""
    card, tensors = _parse_upload(data)
    filters = tensors.pop(FILTERS_KEY, None)
    with torch.device("meta"):  # check shapes before allocating: a spec could ask for a giant model
        skeleton = _rebuild(card.spec)
    _check_state(skeleton, tensors)
    model = _rebuild(card.spec)
    model.load_state_dict(tensors)
    card = card.replace(created="", filter_snapshots=None, imported=now_iso())
    return save(model, card, root, filters=None if filters is None else filters.numpy())


def _parse_upload(data: bytes) -> tuple[ModelCard, dict[str, torch.Tensor]]:
    if not isinstance(data, (bytes, bytearray)) or len(data) < 16:
        raise RegistryError("The file is empty or too small to be a saved model.")
    if len(data) > MAX_UPLOAD:
        raise RegistryError(f"The file is larger than {MAX_UPLOAD // 2**20} MB; models here are much smaller.")
    header_len = int.from_bytes(data[:8], "little")
    try:
        if header_len <= 0 or 8 + header_len > len(data):
            raise ValueError("header length out of range")
        header = json.loads(bytes(data[8:8 + header_len]))
    except (ValueError, UnicodeDecodeError) as exc:
        if _looks_pickled(data):
            raise RegistryError(
                "This looks like a PyTorch pickle or checkpoint (.pt/.pth). Pickles can run code when "
                "opened, so the app never opens them: upload a .safetensors file downloaded from "
                "Saved models.") from exc
        raise RegistryError("This is not a valid .safetensors model file (no readable header).") from exc
    try:
        if not isinstance(header, dict):
            raise ValueError("the header is not a dictionary")
        tensors = st_load(bytes(data))
    except (ValueError, SafetensorError) as exc:
        # safetensors' own text names Rust internals; the student needs the what, not the how
        raise RegistryError("This is not a valid .safetensors model file: the file is damaged or was "
                            "changed after it was downloaded. Download it again.") from exc
    extra = header.get("__metadata__")
    raw = extra.get(META_KEY) if isinstance(extra, dict) else None
    if raw is None:
        raise RegistryError("This .safetensors file has no CNN Explorer description: download models "
                            "from the Saved models page to move them between computers.")
    try:
        meta = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise RegistryError("The model description inside the file is damaged (not valid JSON).") from exc
    try:
        return ModelCard.from_json(meta), tensors
    except CardError as exc:
        raise RegistryError(str(exc)) from exc


def _looks_pickled(data: bytes) -> bool:
    """A pickle starts with PROTO (0x80) and a protocol number; torch.save writes a zip (PK)."""
    return (data[:1] == b"\x80" and 2 <= data[1] <= 5) or data[:4] == b"PK\x03\x04"


def _check_state(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Exactly the tensors the architecture has, with the same shapes, and finite values."""
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    if missing or extra:
        what = (f"missing {missing[:3]}" if missing else "") + (" and " if missing and extra else "") + \
               (f"unexpected {extra[:3]}" if extra else "")
        raise RegistryError(f"The weights do not match the model's architecture: {what}.")
    for key, shape in expected.items():
        if tuple(state[key].shape) != shape:
            raise RegistryError(f"The weights do not match the architecture: {key} has shape "
                                f"{tuple(state[key].shape)} but the model needs {shape}.")
        if state[key].is_floating_point() and not torch.isfinite(state[key]).all():
            raise RegistryError(f"The weights contain NaN or infinite values ({key}).")

"""Saved models on disk: one folder per model with `weights.safetensors` and `meta.json`.

A folder is written under a temporary name and renamed when complete, so a crash never leaves
half a model that `list_models` would show (it removes what a killed process left behind).
Nothing here unpickles: weights are safetensors, metadata is JSON, and a model is rebuilt from
its spec (`meta["spec"]`) before its weights are loaded, so an upload can only ever become one
of the app's own architectures.

meta keys: name, architecture, spec, dataset, split, classes, input_size [C, H, W],
normalisation {"mean", "std"}, history (per-epoch rows), test_accuracy, params, train_seconds,
epochs, created (ISO time), filter_snapshots (or None), format.
"""

from __future__ import annotations

import json
import math
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

from explorer import atomic, limits, models
from explorer.models import builder
from explorer.paths import data_dir

WEIGHTS, META, FILTERS = "weights.safetensors", "meta.json", "filters.safetensors"
META_KEY = "cnn_explorer_meta"  # safetensors header metadata of an exported file
FILTERS_KEY = "__filter_snapshots__"  # the snapshots' tensor inside an exported file
FORMAT = 1
MAX_UPLOAD = limits.MODEL_BYTES
REQUIRED = ("name", "architecture", "spec", "classes", "input_size", "normalisation")


class RegistryError(ValueError):
    """A model that cannot be saved, found or accepted; str(error) is a sentence for people."""


@dataclass(frozen=True)
class SavedModel:
    id: str  # the folder name
    path: Path
    meta: dict

    @property
    def name(self) -> str:
        return self.meta.get("name", self.id)


def models_dir() -> Path:
    return data_dir() / "models"


def _root(root) -> Path:
    return Path(root) if root is not None else models_dir()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---- rebuilding from a spec -----------------------------------------------------------------

def rebuild(spec: dict) -> nn.Module:
    """A fresh model from meta["spec"]: {"architecture": name, "options": {...}} or
    {"architecture": "custom", "layers": [...], "input_size": [C, H, W], "num_classes": K}."""
    if not isinstance(spec, dict) or not isinstance(spec.get("architecture"), str):
        raise RegistryError("The model's description (spec) has no architecture name.")
    arch = spec["architecture"]
    try:
        if arch == "custom":
            return builder.build(spec.get("layers"), spec.get("input_size"), spec.get("num_classes"))
        options = spec.get("options", {})
        if not isinstance(options, dict) or not all(_plain(v) for v in options.values()):
            raise RegistryError("The model's options are not plain numbers and words.")
        return models.build(arch, **options)
    except RegistryError:
        raise
    except builder.LayerError as exc:
        raise RegistryError(f"The model's layers do not fit together: {exc}") from exc
    except KeyError:
        raise RegistryError(f"Unknown architecture {arch!r}: this app cannot rebuild it.") from None
    except Exception as exc:  # any factory failure on untrusted options is the file's fault
        raise RegistryError(f"The {arch!r} model cannot be built from its saved options ({exc}).") from exc


def _plain(v) -> bool:
    if isinstance(v, (list, tuple)):
        return len(v) <= 16 and all(_plain(x) for x in v)
    return v is None or isinstance(v, (bool, int, float, str))


# ---- save, list, load -----------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "model"


def _tensors(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}


def save(model: nn.Module, meta: dict, root=None, filters: np.ndarray | None = None) -> SavedModel:
    """Write a model atomically; returns it. `filters`: first-layer snapshots (E, out, in, k, k)."""
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise RegistryError(f"Cannot save a model without {', '.join(missing)}.")
    root = _root(root)
    root.mkdir(parents=True, exist_ok=True)
    meta = {"created": now_iso(), "format": FORMAT, **meta}
    meta["params"] = meta.get("params") or sum(p.numel() for p in model.parameters())
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    model_id = f"{stamp}-{_slug(meta['name'])}-{uuid.uuid4().hex[:6]}"
    tmp = root / atomic.tmp_name(model_id)
    tmp.mkdir()
    try:
        save_file(_tensors(model), str(tmp / WEIGHTS), metadata={"format": "pt"})
        if filters is not None and len(filters):
            save_file({"filters": torch.as_tensor(np.ascontiguousarray(filters, dtype=np.float32))},
                      str(tmp / FILTERS))
            meta["filter_snapshots"] = {"file": FILTERS, "count": int(len(filters)),
                                        "shape": list(np.shape(filters)[1:])}
        else:
            meta["filter_snapshots"] = None
        (tmp / META).write_text(json.dumps(meta, indent=1, default=_json_default))
        os.replace(tmp, root / model_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SavedModel(model_id, root / model_id, meta)


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
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return None
    return SavedModel(folder.name, folder, meta) if isinstance(meta, dict) else None


def list_models(root=None) -> list[SavedModel]:
    """Complete saved models, newest first (temporary and broken folders are skipped)."""
    root = _root(root)
    if not root.is_dir():
        return []
    atomic.sweep(root)  # half-written folders of a process that was killed mid-save
    found = [m for d in root.iterdir() if d.is_dir() and not d.name.startswith(".") for m in [_read(d)] if m]
    return sorted(found, key=lambda m: (str(m.meta.get("created", "")), m.id), reverse=True)


def get(model_id: str, root=None) -> SavedModel:
    if not isinstance(model_id, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", model_id):
        raise RegistryError(f"{model_id!r} is not a saved model's id.")
    found = _read(_root(root) / model_id)
    if found is None:
        raise RegistryError(f"There is no saved model {model_id!r} (it may have been deleted).")
    return found


def load(model_id: str, root=None) -> tuple[nn.Module, dict]:
    """(model in eval mode on the CPU, meta) rebuilt from the spec; weights from safetensors."""
    saved = get(model_id, root)
    model = rebuild(saved.meta["spec"])
    try:
        state = load_file(str(saved.path / WEIGHTS))
    except (SafetensorError, OSError) as exc:
        raise RegistryError(f"The weights of {saved.name!r} cannot be read: the file is damaged.") from exc
    _check_state(model, state)
    model.load_state_dict(state)
    return model.eval(), saved.meta


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
    meta = {**saved.meta, "name": new_name}
    tmp = saved.path / f".{META}.tmp"
    tmp.write_text(json.dumps(meta, indent=1))
    os.replace(tmp, saved.path / META)
    return SavedModel(saved.id, saved.path, meta)


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
    return st_save(tensors, metadata={"format": "pt", META_KEY: json.dumps(saved.meta)})


def import_bytes(data: bytes, root=None) -> SavedModel:
    """Check an uploaded file completely, then save it as a new model. RegistryError says why a
    file was refused; nothing is written then."""
    meta, tensors = _parse_upload(data)
    filters = tensors.pop(FILTERS_KEY, None)
    with torch.device("meta"):  # check shapes before allocating: a spec could ask for a giant model
        skeleton = rebuild(meta["spec"])
    _check_state(skeleton, tensors)
    model = rebuild(meta["spec"])
    model.load_state_dict(tensors)
    meta = {k: v for k, v in meta.items() if k not in ("created", "filter_snapshots")}
    meta["imported"] = now_iso()
    return save(model, meta, root, filters=None if filters is None else filters.numpy())


def _parse_upload(data: bytes) -> tuple[dict, dict[str, torch.Tensor]]:
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
    except ValueError as exc:
        raise RegistryError("The model description inside the file is damaged (not valid JSON).") from exc
    _check_meta(meta)
    return meta, tensors


def _looks_pickled(data: bytes) -> bool:
    """A pickle starts with PROTO (0x80) and a protocol number; torch.save writes a zip (PK)."""
    return (data[:1] == b"\x80" and 2 <= data[1] <= 5) or data[:4] == b"PK\x03\x04"


def _check_meta(meta) -> None:
    if not isinstance(meta, dict):
        raise RegistryError("The model description inside the file is not a dictionary.")
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise RegistryError(f"The model description lacks {', '.join(missing)}.")
    if not isinstance(meta["name"], str) or not meta["name"].strip():
        raise RegistryError("The model has no name.")
    classes, size = meta["classes"], meta["input_size"]
    if not isinstance(classes, list) or not 2 <= len(classes) <= 1000 or not all(isinstance(c, str) for c in classes):
        raise RegistryError("The model's class names are missing or not a list of words.")
    if (not isinstance(size, list) or len(size) != 3 or not all(isinstance(v, int) and 1 <= v <= 1024 for v in size)):
        raise RegistryError("The model's input size must be [channels, height, width].")
    norm = meta["normalisation"]
    ok = isinstance(norm, dict) and all(
        isinstance(norm.get(k), list) and len(norm[k]) == size[0]
        and all(isinstance(v, (int, float)) and math.isfinite(v) for v in norm[k]) for k in ("mean", "std"))
    if not ok or any(v <= 0 for v in norm["std"]):
        raise RegistryError("The model's normalisation (mean and std per channel) is missing or invalid.")


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

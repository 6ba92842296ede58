"""Saved models on disk: one folder per model with `weights.safetensors` and `meta.json`.

A folder is written under a temporary name and renamed when complete, so a crash never leaves
half a model that `list_models` would show (it removes what a killed process left behind).
Nothing here unpickles: weights are safetensors, metadata is JSON, and a model is rebuilt from
its spec (explorer/models/from_spec.py) before its weights are loaded, so an upload can only
ever become one of the app's own architectures. meta.json holds a ModelCard
(explorer/saved/model_card.py): every reader gets the checked card, never the raw JSON.

A card is also checked against the network its spec builds (class count = outputs, input size
= the architecture's, cost within the server's bounds) before an upload is written and when a
folder is read; a folder that fails is not listed but reported by `unreadable()` (with the
reason), so the Saved models page can offer to delete it. Writes take the folder's
inter-process lock (explorer/saved/locks.py); deleting moves a model to a trash for TRASH_SECONDS.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import load_file, save_file
from safetensors.torch import save as st_save
from torch import nn

from explorer import limits, random_state
from explorer.launch.paths import data_dir
from explorer.models import cost, from_spec
from explorer.saved import atomic, locks
from explorer.saved.model_card import CardError, FilterSnapshots, ModelCard

WEIGHTS, META, FILTERS = "weights.safetensors", "meta.json", "filters.safetensors"
TRASH, DELETED = ".trash", ".deleted"  # deleted models wait here (DELETED: when) for an undo
TRASH_SECONDS = 24 * 3600  # how long a deleted model can be restored
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
        # Its weights are replaced at once, but building draws them from torch's global generator:
        # in a block of its own, or a job seeding its network meanwhile got others (explorer/random_state.py).
        with random_state.seeded(0):
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
        with locks.locked(root):
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


@dataclass(frozen=True)
class Unreadable:
    """A model folder whose card or network fails the checks: listed apart, with the reason,
    so that it can be deleted from the app (it never reaches a picker)."""

    id: str
    path: Path
    reason: str  # a sentence for people
    owner: str = ""  # the raw meta's owner, when it has a readable one


def _read(folder: Path) -> SavedModel | None:
    found = _inspect(folder)
    return found if isinstance(found, SavedModel) else None


def _inspect(folder: Path) -> SavedModel | Unreadable | None:
    """The checked model in `folder`, an Unreadable with the reason, or None (no model there)."""
    try:
        if not (folder / WEIGHTS).is_file():
            return None
        meta = (folder / META).stat()
    except OSError:
        return None  # gone meanwhile (a delete or a half-written folder)
    found = _checked(str(folder / META), meta.st_mtime_ns, meta.st_size)
    if isinstance(found, ModelCard):
        return SavedModel(folder.name, folder, found)
    if found is None:
        return None
    reason, owner = found
    return Unreadable(folder.name, folder, reason, owner)


@lru_cache(maxsize=1024)
def _checked(meta_path: str, mtime_ns: int, size: int) -> ModelCard | tuple[str, str] | None:
    """The card in meta.json read whole and checked against the network its spec builds, or
    (reason, owner) when it fails; cached by the file's path, time and size (a page load lists
    every model, and the check builds each network on the meta device)."""
    try:
        text = Path(meta_path).read_bytes() if size <= 2 * 2**20 else b""
    except OSError:
        return None
    try:
        if size > 2 * 2**20:
            raise CardError(f"The model's description takes {size / 2**20:.0f} MB; a real one takes a few kB.")
        card = ModelCard.parse(text)
        check_network(card)
    except CardError as exc:
        return str(exc), _raw_owner(text)
    return card


def check_network(card: ModelCard) -> None:
    """The card agrees with the network its spec builds: as many outputs as class names, the
    input size the architecture takes, and a cost within the server's bounds (CardError)."""
    reason = _network_verdict(json.dumps(card.spec, sort_keys=True), card.input_size, len(card.classes))
    if reason:
        raise CardError(reason)


@lru_cache(maxsize=256)
def _network_verdict(spec_json: str, input_size: tuple[int, int, int], n_classes: int) -> str:
    """'' when the network fits, else the reason; cached by what it depends on (a rename or a new
    training history does not build the network again)."""
    spec = json.loads(spec_json)
    built_for = _declared_input(spec)
    if built_for is not None and built_for != input_size:
        return f"The model's input size {list(input_size)} does not fit its architecture (built for {list(built_for)})."
    if max(input_size[1:]) > limits.MODEL_INPUT_SIDE:  # refused before tracing the shapes
        return (f"The model takes {max(input_size[1:])}-pixel pictures; this server allows up to "
                f"{limits.MODEL_INPUT_SIDE} pixels per side.")
    try:
        with torch.device("meta"):
            skeleton = from_spec.build(spec)
    except from_spec.SpecError as exc:
        return str(exc)
    try:
        found = cost.cost(skeleton, input_size)
    except (ValueError, RuntimeError):  # InputTooSmall, or channels the first layer does not take
        return f"The model's input size {list(input_size)} does not fit its architecture."
    if found.outputs != n_classes:
        return f"The model names {n_classes} classes but its network has {found.outputs} outputs."
    try:
        cost.check_model(found, input_size, "The model")
    except cost.TooCostly as exc:
        return str(exc)
    return ""


def _declared_input(spec: dict) -> tuple[int, int, int] | None:
    """The (C, H, W) a spec builds its network for, when it says (the builder's input_size, a
    catalogue architecture's in_channels and input_size options)."""
    if spec.get("architecture") == "custom":
        size = spec.get("input_size")
        return tuple(size) if isinstance(size, list) and len(size) == 3 else None
    options = spec.get("options") or {}
    side, channels = options.get("input_size"), options.get("in_channels")
    if isinstance(side, list) and len(side) == 2 and isinstance(channels, int):
        return (channels, *side)
    return None


def _raw_owner(text: bytes) -> str:
    """The owner written in a meta.json that fails its checks (when that much is readable)."""
    try:
        owner = json.loads(text[: 2**20]).get("owner") if len(text) <= 2**20 else None
    except (ValueError, RecursionError, AttributeError):
        return ""
    return owner if isinstance(owner, str) and len(owner) <= 64 else ""


def list_models(root=None) -> list[SavedModel]:
    """Complete, checked saved models, newest first (temporary folders are skipped; folders that
    fail their checks are reported by unreadable())."""
    root = _root(root)
    if not root.is_dir():
        return []
    atomic.sweep(root)  # half-written folders of a process that was killed mid-save
    found = [m for d in root.iterdir() if d.is_dir() and not d.name.startswith(".") for m in [_read(d)] if m]
    return sorted(found, key=lambda m: (m.card.created, m.id), reverse=True)


def unreadable(root=None) -> list[Unreadable]:
    """Model folders that fail their checks (newest folder name first)."""
    root = _root(root)
    if not root.is_dir():
        return []
    found = [u for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")
             for u in [_inspect(d)] if isinstance(u, Unreadable)]
    return sorted(found, key=lambda u: u.id, reverse=True)


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
        with locks.locked(_root(root), shared=True):
            state = load_file(str(saved.path / WEIGHTS))
    except FileNotFoundError:
        raise _gone(model_id) from None
    except (SafetensorError, OSError) as exc:
        raise RegistryError(f"The weights of {saved.name!r} cannot be read: the file is damaged.") from exc
    _check_state(model, state)
    model.load_state_dict(state)
    return model.eval(), saved.card


def load_filters(model_id: str, root=None) -> np.ndarray | None:
    """First-layer filters after each epoch (index 0: before training): (E, out, in, k, k)."""
    saved = get(model_id, root)
    try:
        with locks.locked(_root(root), shared=True):
            if not (saved.path / FILTERS).is_file():
                return None
            return load_file(str(saved.path / FILTERS))["filters"].numpy()
    except FileNotFoundError:
        raise _gone(model_id) from None


def _gone(model_id: str) -> RegistryError:
    return RegistryError(f"There is no saved model {model_id!r} any more (it was deleted meanwhile).")


def rename(model_id: str, new_name: str, root=None) -> SavedModel:
    """Change the display name (the folder, i.e. the id, stays). Under the registry's lock, so
    renames, deletes and restores from any process happen one after the other."""
    new_name = (new_name or "").strip()
    if not new_name or len(new_name) > limits.MODEL_NAME_CHARS:
        raise RegistryError(f"A model name needs 1 to {limits.MODEL_NAME_CHARS} characters.")
    get(model_id, root)  # checked outside the lock (the first check of a network takes a moment)
    with locks.locked(_root(root)):
        saved = get(model_id, root)
        card = saved.card.replace(name=new_name)
        try:
            atomic.write_text(saved.path / META, _card_json(card))
        except FileNotFoundError:
            raise _gone(model_id) from None
    return SavedModel(saved.id, saved.path, card)


@dataclass(frozen=True)
class Trashed:
    """A deleted model that can still be restored until `deleted` + TRASH_SECONDS."""

    id: str
    name: str
    deleted: float  # time.time() of the deletion
    card: ModelCard


def _valid_id(model_id) -> str:
    if not isinstance(model_id, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", model_id):
        raise RegistryError(f"{model_id!r} is not a saved model's id.")
    return model_id


def delete(model_id: str, root=None) -> None:
    """Move a model (readable or not) to the trash, restorable for TRASH_SECONDS; it leaves
    list_models at once."""
    root = _root(root)
    _valid_id(model_id)
    with locks.locked(root):
        folder = root / model_id
        if not (folder / WEIGHTS).is_file():
            raise RegistryError(f"There is no saved model {model_id!r} (it may have been deleted).")
        trash = root / TRASH
        trash.mkdir(exist_ok=True)
        shutil.rmtree(trash / model_id, ignore_errors=True)  # an older copy of the same id
        try:
            os.replace(folder, trash / model_id)
        except FileNotFoundError:
            raise _gone(model_id) from None
        (trash / model_id / DELETED).write_text(repr(time.time()))
    _purge(root)


def restore(model_id: str, root=None) -> SavedModel:
    """Bring a deleted model back from the trash (undo)."""
    root = _root(root)
    _valid_id(model_id)
    with locks.locked(root):
        folder = root / TRASH / model_id
        if (root / model_id).exists() or not folder.is_dir():
            raise RegistryError("This model is not in the trash any more (restored or removed meanwhile).")
        (folder / DELETED).unlink(missing_ok=True)
        os.replace(folder, root / model_id)
    return get(model_id, root)


def trash(root=None) -> list[Trashed]:
    """Deleted (readable) models that can still be restored, most recently deleted first."""
    root = _root(root)
    _purge(root)
    found = []
    for folder in (root / TRASH).glob("*") if (root / TRASH).is_dir() else []:
        saved, when = _read(folder), _deleted_at(folder)
        if saved is not None and when is not None:
            found.append(Trashed(saved.id, saved.name, when, saved.card))
    return sorted(found, key=lambda t: t.deleted, reverse=True)


def _deleted_at(folder: Path) -> float | None:
    try:
        return float((folder / DELETED).read_text())
    except (OSError, ValueError):
        return None


def _purge(root: Path) -> None:
    """Remove trashed models older than TRASH_SECONDS for good."""
    if not (root / TRASH).is_dir():
        return
    with locks.locked(root):
        for folder in list((root / TRASH).iterdir()):
            when = _deleted_at(folder)
            if when is not None and time.time() - when > TRASH_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)


# ---- one-file export and validated import ---------------------------------------------------

def export_bytes(model_id: str, root=None) -> bytes:
    """The model as one .safetensors file: weights (+ filter snapshots) with the meta JSON in
    its header metadata."""
    with locks.locked(_root(root), shared=True):  # a rename or delete waits until all is read
        saved = get(model_id, root)
        try:
            tensors = load_file(str(saved.path / WEIGHTS))
            if (saved.path / FILTERS).is_file():
                tensors[FILTERS_KEY] = load_file(str(saved.path / FILTERS))["filters"]
        except FileNotFoundError:
            raise _gone(model_id) from None
        except (SafetensorError, OSError) as exc:
            raise RegistryError(f"The files of {saved.name!r} cannot be read: they are damaged.") from exc
    public = saved.card.replace(owner="")  # who made it stays on this server
    return st_save(tensors, metadata={"format": "pt", META_KEY: _card_json(public)})


def import_bytes(data: bytes, root=None, owner: str = "") -> SavedModel:
    """Check an uploaded file completely, then save it as a new model belonging to `owner`
    (ownership.owner_tag). RegistryError says why a file was refused; nothing is written then."""
    card, tensors = _parse_upload(data)
    filters = tensors.pop(FILTERS_KEY, None)
    with torch.device("meta"):  # check shapes before allocating: a spec could ask for a giant model
        skeleton = _rebuild(card.spec)
    _check_state(skeleton, tensors)
    try:
        check_network(card)
    except CardError as exc:
        raise RegistryError(str(exc)) from None
    model = _rebuild(card.spec)
    model.load_state_dict(tensors)
    card = card.replace(created="", filter_snapshots=None, imported=now_iso(), owner=owner)
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
        return ModelCard.parse(raw), tensors
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

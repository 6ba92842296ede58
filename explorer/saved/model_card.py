"""A saved model's card: everything about it besides its weights, as the registry writes it to
meta.json and as every reader uses it.

A card only comes into being checked: `ModelCard.from_json` reads the JSON whole (types,
ranges, sizes) and raises CardError with a sentence when anything is off, so a page never
meets a string where it expects an accuracy. Unknown keys are dropped (forward compatible).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch

from explorer import limits
from explorer.data.types import Split

FORMAT = 1
MAX_NAME = limits.MODEL_NAME_CHARS  # characters of a model's display name (renames and the CLI alike)
MAX_TEXT = 200  # any other word on the card: a dataset, an architecture, a class name
MAX_CLASSES = 1000
MAX_SIDE = 1024
MAX_ROWS = 10_000  # epochs of history
MAX_JSON_BYTES = 2 * 2**20  # a whole card as JSON (10,000 epochs of history fit in well under 2 MB)
MAX_DEPTH = 16  # nesting of JSON arrays and objects (a card needs 4)


class CardError(ValueError):
    """A card that cannot be used; str(error) is a sentence for people."""


@dataclass(frozen=True)
class Normalisation:
    """Per-channel mean and std of the training pictures; a model sees (x - mean) / std."""

    mean: tuple[float, ...]
    std: tuple[float, ...]

    @classmethod
    def of(cls, images: np.ndarray) -> Normalisation:
        """From training pictures (N, C, H, W) in [0, 1] (std floored at 1e-3: a flat channel)."""
        return cls(tuple(float(v) for v in images.mean(axis=(0, 2, 3))),
                   tuple(float(max(v, 1e-3)) for v in images.std(axis=(0, 2, 3))))

    def apply(self, images: np.ndarray | torch.Tensor) -> torch.Tensor:
        """Pictures (N, C, H, W) in [0, 1] -> the float tensor the model expects (same device)."""
        x = images if torch.is_tensor(images) else torch.as_tensor(np.asarray(images, dtype=np.float32))
        mean, std = self.tensors(x.dtype, x.device)
        # One new array, divided in place (the same numbers as (x - mean) / std): on this VM
        # every fresh page of memory costs a page fault, and the training set is ~25 MB.
        return torch.sub(x, mean).div_(std)

    def tensors(self, dtype=torch.float32, device=None) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean, std), each (1, C, 1, 1)."""
        return (torch.tensor(self.mean, dtype=dtype, device=device).view(1, -1, 1, 1),
                torch.tensor(self.std, dtype=dtype, device=device).view(1, -1, 1, 1))

    def to_json(self) -> dict:
        return {"mean": list(self.mean), "std": list(self.std)}


@dataclass(frozen=True)
class Validation:
    """The training images held out to choose the kept weights (the test images choose nothing)."""

    size: int  # pictures held out of the training images
    accuracy: float | None  # of the kept weights on them


@dataclass(frozen=True)
class FilterSnapshots:
    """First-layer filters saved after each epoch, in a file beside the weights."""

    file: str
    count: int  # snapshots (index 0: before training)
    shape: tuple[int, ...]  # (out, in, k, k) of one snapshot


@dataclass(frozen=True)
class ModelCard:
    name: str
    architecture: str  # a models.names() entry or "custom"
    spec: dict  # what explorer.models.from_spec.build rebuilds the network from
    dataset: str
    split: Split | None  # None: not recorded (e.g. an imported model of an older app)
    classes: tuple[str, ...]
    input_size: tuple[int, int, int]  # (C, H, W)
    normalisation: Normalisation
    title: str = ""
    history: tuple[dict, ...] = ()  # per-epoch rows: {"epoch": 1, "train_loss": ..., ...}
    test_accuracy: float | None = None
    best_epoch: int | None = None
    params: int = 0
    train_seconds: float | None = None
    epochs: int | None = None
    stopped_early: bool = False
    config: dict = field(default_factory=dict)  # the TrainConfig it was trained with
    created: str = ""  # ISO time
    imported: str | None = None  # ISO time of an upload, else None
    filter_snapshots: FilterSnapshots | None = None
    format: int = FORMAT
    validation: Validation | None = None
    owner: str = ""  # ownership.owner_tag of the session that trained or uploaded it ("" for none)

    def replace(self, **changes) -> ModelCard:
        return replace(self, **changes)

    @property
    def label_smoothing(self) -> float:
        """The label smoothing it was trained with; 0 when its training settings do not say
        (an uploaded card's settings may hold anything)."""
        value = self.config.get("label_smoothing")
        return float(value) if _real(value) and 0 < value < 1 else 0.0

    @property
    def augmented(self) -> bool:
        """Whether its training pictures were shifted or turned; False when its settings do not say."""
        c = self.config
        moves = [c.get("max_shift", 0.1), c.get("max_rotation", 10.0)]  # TrainConfig's defaults
        return c.get("augment") is True and any(_real(m) and m > 0 for m in moves)

    @property
    def adversarial(self) -> float:
        """The share of every training batch swapped for its FGSM pictures; 0 for none or when its
        settings do not say."""
        eps, share = self.config.get("adversarial_epsilon"), self.config.get("adversarial_fraction", 0.5)
        return float(share) if _real(eps) and eps > 0 and _real(share) and 0 < share <= 1 else 0.0

    @property
    def test_loss_below_training(self) -> bool:
        """Whether the test loss read lower than the training loss after some epoch (the rows of an
        uploaded card may hold words or nothing where the numbers go)."""
        return any(_real(r.get("test_loss")) and _real(r.get("train_loss")) and r["test_loss"] < r["train_loss"]
                   for r in self.history)

    def to_json(self) -> dict:
        out = asdict(self)
        out["split"] = None if self.split is None else self.split.to_json()
        out["normalisation"] = self.normalisation.to_json()
        out["classes"], out["input_size"] = list(self.classes), list(self.input_size)
        out["history"] = [dict(r) for r in self.history]
        if self.filter_snapshots is not None:
            out["filter_snapshots"]["shape"] = list(self.filter_snapshots.shape)
        return out

    @classmethod
    def parse(cls, raw: str | bytes) -> ModelCard:
        """A checked card from meta.json's text: bounded in size and nesting *before* it is
        parsed (a 9 MB name or 100,000 nested lists must not cost memory or a RecursionError)."""
        if not isinstance(raw, (str, bytes, bytearray)) or len(raw) > MAX_JSON_BYTES:
            raise CardError(f"The model's description is larger than {MAX_JSON_BYTES // 2**20} MB; a real one "
                            "takes a few kB.")
        text = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else raw
        if _depth(text) > MAX_DEPTH:
            raise CardError(f"The model's description is nested more than {MAX_DEPTH} levels deep; a real one "
                            "has 4.")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise CardError("The model description inside the file is damaged (not valid JSON).") from None
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data) -> ModelCard:
        """A checked card from meta.json's content; CardError says what is wrong."""
        if not isinstance(data, dict):
            raise CardError("The model's description is not a dictionary.")
        missing = [k for k in ("name", "architecture", "spec", "classes", "input_size", "normalisation")
                   if k not in data]
        if missing:
            raise CardError(f"The model's description lacks {', '.join(missing)}.")
        input_size = _input_size(data["input_size"])
        spec = _plain_dict(data["spec"], "description (spec)")
        architecture = _text(data["architecture"], "architecture")
        if spec.get("architecture") != architecture:
            raise CardError("The model's description names two different architectures.")
        return cls(
            name=_text(data["name"], "name", MAX_NAME),
            architecture=architecture,
            spec=spec,
            dataset=_text(data.get("dataset", "unknown"), "dataset"),
            split=_split(data.get("split")),
            classes=_classes(data["classes"]),
            input_size=input_size,
            normalisation=_normalisation(data["normalisation"], input_size[0]),
            title=_text(data.get("title") or architecture, "title"),
            history=_history(data.get("history")),
            test_accuracy=_number(data.get("test_accuracy"), "test accuracy", 0.0, 1.0),
            best_epoch=_whole(data.get("best_epoch"), "best epoch"),
            params=_whole(data.get("params"), "parameter count") or 0,
            train_seconds=_number(data.get("train_seconds"), "training time", 0.0, math.inf),
            epochs=_whole(data.get("epochs"), "epoch count"),
            stopped_early=bool(data.get("stopped_early", False)),
            config=_plain_dict(data.get("config") or {}, "training settings"),
            created=_text(data.get("created") or "", "creation time"),
            imported=_text(data["imported"], "import time") if data.get("imported") else None,
            filter_snapshots=_snapshots(data.get("filter_snapshots")),
            format=_whole(data.get("format"), "format") or FORMAT,
            owner=_text(data.get("owner") or "", "owner", 64),
            validation=_validation(data.get("validation")),
        )


# ---- checks: each returns the clean value or raises CardError -------------------------------

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, the unrolled-loop way (fast)
_BRACKETS = re.compile(r"[\[\]{}]")


def _depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON text, outside strings (no recursion: a loop over
    the brackets left once the strings are cut out)."""
    depth = deepest = 0
    for ch in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _text(v, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(v, str) or len(v) > limit or (what == "name" and not v.strip()):
        raise CardError(f"The model's {what} must be text of at most {limit} characters.")
    return v


def _number(v, what: str, low: float, high: float) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (low <= v <= high):
        raise CardError(f"The model's {what} must be a number from {low:g} to {high:g}, not {str(v)[:40]!r}.")
    return float(v)


def _whole(v, what: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**53:
        raise CardError(f"The model's {what} must be a whole number, not {str(v)[:40]!r}.")
    return v


def _input_size(v) -> tuple[int, int, int]:
    if (not isinstance(v, list) or len(v) != 3
            or not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= MAX_SIDE for s in v)):
        raise CardError("The model's input size must be [channels, height, width].")
    return v[0], v[1], v[2]


def _classes(v) -> tuple[str, ...]:
    if (not isinstance(v, list) or not 2 <= len(v) <= MAX_CLASSES
            or not all(isinstance(c, str) and len(c) <= MAX_TEXT for c in v)):
        raise CardError("The model's class names are missing or not a list of words.")
    return tuple(v)


def _normalisation(v, channels: int) -> Normalisation:
    ok = isinstance(v, dict) and all(
        isinstance(v.get(k), list) and len(v[k]) == channels
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v[k])
        for k in ("mean", "std"))
    if not ok or any(x <= 0 for x in v["std"]):
        raise CardError("The model's normalisation (mean and std per channel) is missing or invalid.")
    return Normalisation(tuple(float(x) for x in v["mean"]), tuple(float(x) for x in v["std"]))


def _split(v) -> Split | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise CardError("The model's split must be a test fraction and a random state.")
    size, state = v.get("test_size"), v.get("random_state")
    if _number(size, "test fraction", 0.0, 1.0) in (None, 0.0, 1.0) or not (state is None or _whole(state, "random state") is not None):
        raise CardError("The model's split must be a test fraction and a random state.")
    return Split(size, state)


def _history(v) -> tuple[dict, ...]:
    if v is None:
        return ()
    if not isinstance(v, list) or len(v) > MAX_ROWS or not all(
            isinstance(r, dict) and len(r) <= 32 and all(isinstance(k, str) and _is_value(x) for k, x in r.items())
            for r in v):
        raise CardError("The model's training history is not a list of numbers per epoch.")
    return tuple(dict(r) for r in v)


def _is_value(x) -> bool:
    return x is None or isinstance(x, (bool, str)) and len(str(x)) <= MAX_TEXT or (
        isinstance(x, (int, float)) and (not isinstance(x, float) or math.isfinite(x)))


def _plain_dict(v, what: str, depth: int = 0) -> dict:
    """A dict of plain JSON values, at most 4 levels deep and 10,000 entries at any level."""
    if not isinstance(v, dict) or not _plain(v, depth):
        raise CardError(f"The model's {what} is not plain numbers and words.")
    return v


def _plain(v, depth: int) -> bool:
    if depth > 4:
        return False
    if isinstance(v, dict):
        return len(v) <= 10_000 and all(isinstance(k, str) and len(k) <= MAX_TEXT and _plain(x, depth + 1)
                                        for k, x in v.items())
    if isinstance(v, list):
        return len(v) <= 10_000 and all(_plain(x, depth + 1) for x in v)
    if isinstance(v, float):
        return math.isfinite(v)
    return v is None or isinstance(v, (bool, int)) or isinstance(v, str) and len(v) <= MAX_TEXT


def _validation(v) -> Validation | None:
    if v is None:
        return None
    if not isinstance(v, dict) or _whole(v.get("size"), "validation size") is None:
        raise CardError("The model's validation set is described wrongly.")
    return Validation(v["size"], _number(v.get("accuracy"), "validation accuracy", 0.0, 1.0))


def _snapshots(v) -> FilterSnapshots | None:
    if v is None:
        return None
    if (not isinstance(v, dict) or not isinstance(v.get("file"), str)
            or _whole(v.get("count"), "snapshot count") is None or not isinstance(v.get("shape"), list)
            or not all(isinstance(s, int) and 0 < s <= 4096 for s in v["shape"])):
        raise CardError("The model's filter snapshots are described wrongly.")
    return FilterSnapshots(v["file"], v["count"], tuple(v["shape"]))


def _real(value) -> bool:
    """A real number from a card's settings (JSON's true is not 1 here, nor NaN a number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value

"""The datasets: Sign Language Digits, scikit-learn's bundled digits, and a user's own zip.

Every dataset comes out the same way (a `Dataset`): images float32 (N, C, H, W) in [0, 1],
labels int64 (N,), class names, in a deterministic order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from explorer import limits as bounds
from explorer.data import archives, download, images, signdigits
from explorer.data.archives import ArchiveError
from explorer.data.budget import BudgetExceeded, DecodeBudget
from explorer.data.types import COURSE_SPLIT, Dataset, DatasetError, DatasetUnavailable, Split

__all__ = ["Dataset", "DatasetError", "DatasetUnavailable", "load", "split", "from_zip", "available"]

NAMES = ("sign-digits", "digits")
TITLES = {
    "sign-digits": "Sign Language Digits (2,062 photos of hands, 64x64 grayscale)",
    "digits": "Handwritten digits (scikit-learn, 1,797 images, 8x8, bundled)",
}


def load(name: str, *, download_missing: bool = True, progress: download.Progress | None = None) -> Dataset:
    """Load a named dataset ("sign-digits" or "digits").

    Sign Language Digits is looked for in $CNN_EXPLORER_SIGN_DIGITS (zip or folder), then in
    the data folder, and downloaded once when missing (unless download_missing is False).
    Raises DatasetUnavailable with what to do when it can be neither found nor downloaded.
    """
    if name == "digits":
        return load_digits()
    if name == "sign-digits":
        src = signdigits.locate()
        if src is None:
            if not download_missing:
                raise DatasetUnavailable(signdigits.missing_message())
            src = _download_sign_digits(progress)
        return signdigits.load_processed(src)
    raise DatasetError(f"Unknown dataset {name!r}; choose one of {', '.join(NAMES)}.")


def _download_sign_digits(progress: download.Progress | None) -> Path:
    try:
        return download.fetch(signdigits.url(), signdigits.download_path(), progress)
    except download.DownloadError as exc:
        reason = f"The download failed: {exc}."
        raise DatasetUnavailable(signdigits.missing_message(reason), reason) from exc


def load_digits() -> Dataset:
    """scikit-learn's bundled handwritten digits: (1797, 1, 8, 8), values 0-16 scaled to [0, 1]."""
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    imgs = (bunch.images.astype(np.float32) / 16.0)[:, None]
    return Dataset("digits", imgs, bunch.target.astype(np.int64),
                   [str(c) for c in bunch.target_names], source="scikit-learn (bundled)")


def split(dataset: Dataset, how: Split = COURSE_SPLIT) -> tuple[Dataset, Dataset]:
    """Train and test parts, exactly as `train_test_split(X, Y, test_size=how.test_size,
    random_state=how.random_state)` on the dataset's deterministic order (not stratified); the
    course's split by default.

    scikit-learn's ShuffleSplit, written out: one permutation by RandomState(random_state), the
    first ceil(test_size * n) indices for testing and the rest for training. Why not call it:
    importing sklearn takes ~4 s on a 2-core machine, as long as training FastNet to 97%.
    tests/test_user_zip.py checks the two agree.
    """
    n = len(dataset)
    n_test = math.ceil(how.test_size * n)
    if not 0 < how.test_size < 1 or n_test >= n:
        raise DatasetError(f"A test fraction of {how.test_size} leaves no images to train on "
                           f"({n} images in all).")
    order = np.random.RandomState(how.random_state).permutation(n)
    return dataset.subset(order[n_test:], ":train"), dataset.subset(order[:n_test], ":test")


def from_zip(path, *, size: int = 64, min_per_class: int = 5,
             limits: archives.Limits = archives.Limits(),
             budget: DecodeBudget | None = None) -> Dataset:
    """A user's zip of class folders (ImageFolder layout: <class>/<image>, optionally inside
    one top folder). Images become `size` x `size`, grayscale unless some are in colour.

    Pictures are decoded one at a time and shrunk to `size` at once (only the small copies are
    kept); the whole upload is charged against `budget` (default: a fresh one from
    explorer.limits) and the dataset may hold at most limits.DATASET_VALUES values.
    `path` is a file path or a binary file object. Raises DatasetError with the reason.
    """
    budget = budget if budget is not None else DecodeBudget()
    try:
        with archives.open_zip(path) as zf:
            members = archives.checked_members(zf, limits)
            shrunk, skipped = _shrink_members(zf, members, size, budget)
    except (ArchiveError, BudgetExceeded) as exc:
        raise DatasetError(str(exc)) from exc
    classes = _check_classes(shrunk, min_per_class, skipped)
    channels = 3 if any(s.rgb is not None for _, s in shrunk) else 1
    lookup = {c: i for i, c in enumerate(classes)}
    ordered = sorted(shrunk, key=lambda d: (lookup[d[0][0]], _natural(d[0][-1])))
    arrays = np.empty((len(ordered), channels, size, size), np.float32)
    for i, (_, small) in enumerate(ordered):
        arrays[i] = small.array(channels)
    labels = np.array([lookup[parts[0]] for parts, _ in ordered], dtype=np.int64)
    name = Path(getattr(path, "name", None) or str(path)).stem or "your-dataset"
    notes = (f"All images were brought to {size}x{size} {'RGB' if channels == 3 else 'grayscale'}.",)
    return Dataset(name, arrays, labels, classes, source="your zip",
                   skipped=tuple(skipped), notes=notes)


@dataclass(frozen=True)
class _Small:
    """One zip picture already at the dataset's size: uint8 grey (H, W) and, for a colour
    picture, uint8 RGB (H, W, 3). Both are made from the decoded picture, exactly as
    images.to_array would make them (grey: convert then resize)."""

    grey: np.ndarray
    rgb: np.ndarray | None

    def array(self, channels: int) -> np.ndarray:
        """float32 (channels, H, W) in [0, 1]."""
        if channels == 1:
            return self.grey[None] / np.float32(255.0)
        rgb = self.rgb if self.rgb is not None else np.repeat(self.grey[..., None], 3, axis=2)
        return rgb.transpose(2, 0, 1) / np.float32(255.0)


def _shrink(img, size: int) -> _Small:
    box = (size, size)
    lanczos = Image.Resampling.LANCZOS
    grey = np.asarray(img.convert("L").resize(box, lanczos))
    rgb = np.asarray(img.resize(box, lanczos)) if img.mode == "RGB" else None
    return _Small(grey, rgb)


def _shrink_members(zf, members, size: int, budget: DecodeBudget) -> tuple[list, list[str]]:
    """[(class-relative parts, _Small)], ["name: reason", ...] for what was left out."""
    members = _strip_common_top(members)
    shrunk, skipped = [], []
    colour = False
    for m, data in archives.read_members(zf, [m for m in members if m.is_image and len(m.parts) > 1]):
        if data is None:
            skipped.append(f"{'/'.join(m.parts)}: damaged inside the zip")
            continue
        try:
            small = _shrink(images.decode(data, max_side=size, budget=budget), size)
        except images.ImageError as exc:
            skipped.append(f"{'/'.join(m.parts)}: {exc}")
            continue
        shrunk.append((m.parts, small))
        colour = colour or small.rgb is not None
        _check_dataset_size(len(shrunk), 3 if colour else 1, size)
    for m in members:
        if not m.is_image:
            skipped.append(f"{'/'.join(m.parts)}: not an image")
        elif len(m.parts) == 1:
            skipped.append(f"{m.parts[0]}: not inside a class folder")
    return shrunk, skipped


def _check_dataset_size(count: int, channels: int, size: int) -> None:
    if count * channels * size * size <= bounds.DATASET_VALUES:
        return
    most = bounds.DATASET_VALUES // (size * size)
    raise BudgetExceeded(
        f"The zip holds more than {most // channels:,} {'colour' if channels == 3 else 'grey'} pictures; "
        f"a dataset on this shared server may hold at most {most // 3:,} colour or {most:,} grey "
        f"pictures of {size} x {size}. Use fewer pictures."
    )


def _strip_common_top(members: list[archives.Member]) -> list[archives.Member]:
    """Zips made by 'compress folder' wrap everything in one top folder: look inside it."""
    while (members and len({m.parts[0] for m in members}) == 1
           and all(len(m.parts) > 1 for m in members)
           and any(len(m.parts) > 2 and m.is_image for m in members)):
        members = [archives.Member(m.parts[1:], m.info) for m in members]
    return members


def _check_classes(decoded, min_per_class: int, skipped: list[str]) -> list[str]:
    counts = Counter(parts[0] for parts, _ in decoded)
    if not counts:
        extra = f" ({len(skipped)} files were left out, e.g. {skipped[0]})" if skipped else ""
        raise DatasetError(
            "The zip holds no usable images in class folders. Put each class's images in a "
            f"folder named after the class, e.g. cat/img1.jpg and dog/img2.jpg{extra}."
        )
    if len(counts) < 2:
        raise DatasetError(
            f"The zip has only one class ({next(iter(counts))}); a classifier needs at least "
            "two class folders."
        )
    small = {c: n for c, n in counts.items() if n < min_per_class}
    if small:
        listed = ", ".join(f"{c} ({n})" for c, n in sorted(small.items()))
        raise DatasetError(
            f"Each class needs at least {min_per_class} images; these have fewer: {listed}."
        )
    return sorted(counts, key=_natural)


def _natural(text: str) -> list:
    """Sort key putting "2" before "10" and "img2" before "img10"."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t.lower()) for t in re.split(r"(\d+)", text) if t]


def available() -> dict[str, str | None]:
    """For each named dataset, where it comes from on this machine (None: must be downloaded)."""
    try:
        src = signdigits.locate()
    except DatasetError:
        src = None
    return {"sign-digits": str(src) if src else None, "digits": "bundled with scikit-learn"}


def freeze(ds: Dataset) -> Dataset:
    """Make the arrays read-only, for datasets shared between sessions."""
    for arr in (ds.images, ds.labels):
        arr.setflags(write=False)
    return ds


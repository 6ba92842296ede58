"""Sign Language Digits: finding the archive, preprocessing it as the course does, caching.

Ankara Ayrancı Anadolu High School's dataset (Apache-2.0): 2,062 RGB 100x100 photos of hands
showing 0-9, in `Dataset/<digit>/*.JPG`. The course uses it as 64x64 grayscale in [0, 1].
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from explorer.data import archives, images
from explorer.data.types import Dataset, DatasetError
from explorer.launch.paths import data_dir
from explorer.saved import atomic

ENV = "CNN_EXPLORER_SIGN_DIGITS"
URL = "https://github.com/ardamavi/Sign-Language-Digits-Dataset/archive/refs/heads/master.zip"
EXPECTED_IMAGES = 2062
SIZE = 64
CLASSES = [str(d) for d in range(10)]
CACHE_VERSION = "v1"  # bump when preprocessing changes, so stale caches are rebuilt
PREPROCESSING = "grayscale, 64x64 (Lanczos), float32 in [0, 1]"


def url() -> str:
    """Where to download from: $CNN_EXPLORER_SIGN_DIGITS_URL (a school's mirror) or GitHub."""
    return os.environ.get("CNN_EXPLORER_SIGN_DIGITS_URL") or URL


def download_path(folder: Path | None = None) -> Path:
    """Where the app saves its download, in `folder` (default: the data folder)."""
    return (folder or data_dir()) / "sign-digits" / "sign-language-digits.zip"


def locate() -> Path | None:
    """The archive (zip) or extracted folder to read, or None when it must be downloaded.

    Order: $CNN_EXPLORER_SIGN_DIGITS, the downloaded copy, then any zip or extracted folder
    whose name mentions sign language digits that a user put in the data folder.
    """
    env = os.environ.get(ENV)
    if env:
        path = Path(env).expanduser()
        if not path.exists():
            raise DatasetError(f"{ENV} is set to {path}, which does not exist. Fix the path or unset the variable.")
        return path
    return in_data_folder(data_dir())


def in_data_folder(folder: Path) -> Path | None:
    """The archive in a data folder: the app's own download, else a zip or extracted folder
    whose name mentions sign language digits, put in `folder` or `folder/sign-digits` by hand.

    The tests look for the real archive with this too (tests/conftest.py), so that they find
    it wherever the app does.
    """
    if download_path(folder).exists():
        return download_path(folder)
    for sub in (folder, folder / "sign-digits"):
        if sub.is_dir():
            for p in sorted(sub.iterdir()):
                low = p.name.lower()
                if "sign" in low and "digit" in low and (low.endswith(".zip") or _has_dataset_root(p)):
                    return p
    return None


def missing_message(reason: str = "") -> str:
    """What a user reads when the dataset is not here: why, and the two ways to fix it."""
    return (
        f"{reason + ' ' if reason else ''}Sign Language Digits is not on this machine yet. "
        f"Download {url()} on a computer with internet, put the zip in {data_dir()} "
        f"(or set {ENV} to its path) and reload. Until then the app uses the bundled "
        "handwritten digits."
    )


def command_line_message(reason: str = "", prog: str = "python -m explorer.train") -> str:
    """The same news for someone at a command line: what to type, and where the zip goes."""
    return (
        f"{reason + ' ' if reason else ''}Sign Language Digits is not on this machine yet. Either\n"
        f"  - train on the bundled handwritten digits:  {prog} --dataset digits\n"
        f"  - or download {url()}\n"
        f"    on a computer with internet, put the zip in {data_dir()}\n"
        f"    (or set {ENV} to its path) and run the same command again."
    )


def load_processed(src: Path) -> Dataset:
    """Load from the processed cache beside the download, building it on the first call."""
    cache = data_dir() / "sign-digits" / f"processed-{_fingerprint(src)}.npz"
    arrays = _read_cache(cache)
    if arrays is None:
        atomic.sweep(cache.parent)  # a partial cache of a process killed mid-write
        arrays = _process(src)
        _write_cache(cache, arrays)
    return _to_dataset(arrays, src)


def _fingerprint(src: Path) -> str:
    """Changes when the source archive or folder changes (path, sizes, modification times)."""
    h = hashlib.sha1(f"{CACHE_VERSION}|{src.resolve()}".encode())
    files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file())
    for p in files:
        st = p.stat()
        h.update(f"|{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _read_cache(cache: Path) -> dict | None:
    if not cache.exists():
        return None
    try:
        with np.load(cache, allow_pickle=False) as npz:
            return {k: npz[k] for k in ("pixels", "labels", "files", "skipped")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        cache.unlink(missing_ok=True)  # damaged (e.g. a crash mid-write): rebuild it
        return None


def _write_cache(cache: Path, arrays: dict) -> None:
    """Atomic write; a read-only data folder just means no cache."""
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, cache)
    except OSError:
        tmp.unlink(missing_ok=True)


def _process(src: Path) -> dict:
    """Decode every photo: pixels uint8 (N, 64, 64), labels, file names, skipped members."""
    entries = _zip_entries(src) if src.is_file() else _folder_entries(src)
    entries.sort(key=lambda e: (e[0], e[1]))
    pixels, labels, files, skipped = [], [], [], []
    for label, name, read in entries:
        try:
            img = images.decode(read())
        except (images.ImageError, OSError) as exc:
            skipped.append(f"{label}/{name}: {exc}")
            continue
        pixels.append(np.asarray(img.convert("L").resize((SIZE, SIZE), Image.Resampling.LANCZOS)))
        labels.append(label)
        files.append(f"{label}/{name}")
    _validate(labels, src)
    return {"pixels": np.stack(pixels), "labels": np.array(labels, np.int64),
            "files": np.array(files), "skipped": np.array(skipped, dtype=str)}


def _zip_entries(src: Path) -> list:
    """(label, file name, reader) for each photo in Dataset/<digit>/ inside the archive."""
    try:
        zf = archives.open_zip(src)
        members = archives.checked_members(zf)
    except archives.ArchiveError as exc:
        raise DatasetError(f"{src.name}: {exc}") from exc
    out = []
    for m in members:
        if len(m.parts) >= 3 and m.parts[-3] == "Dataset" and m.parts[-2] in CLASSES and m.is_image:
            out.append((int(m.parts[-2]), m.parts[-1], _zip_reader(zf, m)))
    return out


def _zip_reader(zf, member):
    def read() -> bytes:
        data = next(archives.read_members(zf, [member]))[1]
        if data is None:
            raise OSError("damaged inside the zip")
        return data
    return read


def _folder_entries(src: Path) -> list:
    root = _dataset_root(src)
    return [(int(d), p.name, p.read_bytes) for d in CLASSES if (root / d).is_dir()
            for p in (root / d).iterdir() if p.is_file() and p.suffix.lower() in archives.IMAGE_SUFFIXES]


def _has_dataset_root(path: Path) -> bool:
    """An extracted copy (not, say, our own cache folder data/sign-digits)."""
    try:
        return path.is_dir() and _dataset_root(path) is not None
    except DatasetError:
        return False


def _dataset_root(src: Path) -> Path:
    """The folder holding 0/ ... 9/: src itself, src/Dataset, or src/<one folder>/Dataset."""
    for cand in (src, src / "Dataset", *sorted(src.glob("*/Dataset"))):
        if (cand / "0").is_dir():
            return cand
    raise DatasetError(
        f"{src} does not look like Sign Language Digits: no Dataset/0 ... Dataset/9 folders inside."
    )


def _validate(labels: list[int], src: Path) -> None:
    missing = sorted(set(range(10)) - set(labels))
    if missing:
        raise DatasetError(
            f"{src.name} does not look like Sign Language Digits: no photos for digit(s) "
            f"{', '.join(map(str, missing))}. Download the archive again."
        )


def _to_dataset(arrays: dict, src: Path) -> Dataset:
    pixels = arrays["pixels"]
    notes = []
    if len(pixels) != EXPECTED_IMAGES:
        notes.append(f"Found {len(pixels):,} photos; the published dataset has {EXPECTED_IMAGES:,}.")
    skipped = tuple(str(s) for s in arrays["skipped"])
    if skipped:
        notes.append(f"{len(skipped)} damaged photo(s) were left out.")
    imgs = pixels.astype(np.float32)
    imgs /= np.float32(255.0)  # in place: one 34 MB array, not two (the same numbers)
    imgs = imgs[:, None]
    return Dataset("sign-digits", imgs, arrays["labels"].astype(np.int64), list(CLASSES),
                   source=str(src), skipped=skipped, notes=tuple(notes),
                   meta={"files": [str(f) for f in arrays["files"]], "preprocessing": PREPROCESSING})

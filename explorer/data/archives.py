"""Safe reading of zip archives that come from outside (downloads and uploads).

Nothing is ever extracted to disk: members are read into memory one by one, after the whole
archive's table of contents has been checked against path traversal, links and zip bombs.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterator

from explorer import limits as bounds

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}


class ArchiveError(ValueError):
    """A zip that is refused as a whole; str(error) is a sentence for the user."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what an archive may contain (all enforced before anything is decompressed)."""

    max_members: int = bounds.ARCHIVE_MEMBERS
    max_total_bytes: int = bounds.ARCHIVE_BYTES  # uncompressed, all members together
    max_member_bytes: int = bounds.MEMBER_BYTES  # uncompressed, one member
    max_ratio: float = bounds.EXPANSION_RATIO  # uncompressed / compressed, one member (zip bombs reach 1000s)


@dataclass(frozen=True)
class Member:
    """One regular file inside the archive: its cleaned path parts and zip entry."""

    parts: tuple[str, ...]
    info: zipfile.ZipInfo

    @property
    def is_image(self) -> bool:
        return PurePosixPath(self.parts[-1]).suffix.lower() in IMAGE_SUFFIXES


def open_zip(source: str | Path | IO[bytes]) -> zipfile.ZipFile:
    """Open a zip, turning 'not a zip' into an ArchiveError a student understands."""
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ArchiveError(
            "This file is not a readable zip archive (it may be damaged or only partly "
            "downloaded). Create the zip again and retry."
        ) from exc


def checked_members(zf: zipfile.ZipFile, limits: Limits = Limits()) -> list[Member]:
    """The archive's regular files, after checking every entry; junk (macOS metadata,
    hidden files) is left out. Raises ArchiveError on traversal, links, bombs or size."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise ArchiveError(
            f"The zip has {len(infos):,} entries; at most {limits.max_members:,} are accepted."
        )
    total = 0
    members = []
    for info in infos:
        parts = _safe_parts(info.filename)
        if _is_link(info):
            raise ArchiveError(
                f"The zip contains a symbolic link ({info.filename}); links are refused "
                "because they can point outside the archive."
            )
        if info.is_dir() or _is_junk(parts):
            continue
        _check_size(info, limits)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ArchiveError(
                f"The zip would expand to more than {limits.max_total_bytes // 2**20} MB; "
                "use fewer or smaller images."
            )
        members.append(Member(parts, info))
    return members


def _safe_parts(name: str) -> tuple[str, ...]:
    """Split a member name, refusing absolute paths and '..' (zip-slip)."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        raise ArchiveError(
            f"The zip contains an absolute path ({name}); it was refused for safety."
        )
    parts = tuple(p for p in norm.split("/") if p not in ("", "."))
    if ".." in parts:
        raise ArchiveError(
            f"The zip contains a path that points outside its folder ({name}); it was "
            "refused for safety."
        )
    return parts


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _is_junk(parts: tuple[str, ...]) -> bool:
    return not parts or parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)


def _check_size(info: zipfile.ZipInfo, limits: Limits) -> None:
    if info.file_size > limits.max_member_bytes:
        raise ArchiveError(
            f"The file {info.filename} is {info.file_size / 2**20:.0f} MB uncompressed; each file may "
            f"be at most {limits.max_member_bytes // 2**20} MB."
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > bounds.RATIO_FROM_BYTES and ratio > limits.max_ratio:
        raise ArchiveError(
            f"The file {info.filename} expands {ratio:,.0f} times when unpacked, which is how zip "
            "bombs work; the archive was refused."
        )


def read_members(zf: zipfile.ZipFile, members: list[Member]) -> Iterator[tuple[Member, bytes | None]]:
    """Yield (member, bytes), or (member, None) when that member cannot be read (CRC error,
    truncated data). Reads never exceed the checked uncompressed size."""
    for m in members:
        try:
            with zf.open(m.info) as fh:
                data = fh.read(m.info.file_size + 1)
            yield m, (data if len(data) == m.info.file_size else None)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            yield m, None

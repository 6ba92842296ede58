"""Downloading a file once, safely: into a temporary file renamed only when complete."""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)
CHUNK = 256 * 1024
_lock = threading.Lock()  # two sessions clicking "download" fetch once, not twice


class DownloadError(RuntimeError):
    """The download failed; str(error) says why in plain words."""


def fetch(url: str, dest: Path, progress: Progress | None = None, timeout: float = 30.0,
          max_bytes: int = 200 * 2**20) -> Path:
    """Download url to dest (if dest does not exist yet) and return dest.

    The bytes go to a temporary file beside dest that is renamed only once complete, so an
    interrupted download never leaves a file that looks finished.
    """
    with _lock:
        if dest.exists():
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        try:
            _stream(url, tmp, progress, timeout, max_bytes)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    return dest


def _stream(url: str, tmp: Path, progress: Progress | None, timeout: float, max_bytes: int) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
            total = _content_length(resp)
            done = 0
            while chunk := resp.read(CHUNK):
                done += len(chunk)
                if done > max_bytes:
                    raise DownloadError(f"the file is larger than the expected {max_bytes // 2**20} MB")
                out.write(chunk)
                if progress:
                    progress(done, total)
            if total is not None and done != total:
                raise DownloadError(f"the connection closed after {done:,} of {total:,} bytes")
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"the server answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise DownloadError(f"no connection ({exc.reason})") from exc
    except TimeoutError as exc:
        raise DownloadError("the connection timed out") from exc
    except OSError as exc:
        raise DownloadError(f"{type(exc).__name__}: {exc}") from exc


def _content_length(resp) -> int | None:
    value = resp.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None

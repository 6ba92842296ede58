"""Cleaning up after a process that died mid-write (power cut, SIGKILL, out of memory).

Atomic writes go to a temporary name that carries the writer's process id and are renamed
when complete, so a crash leaves only a temporary file or folder: never a half model or a
half cache under its real name. Those temporaries are removed once their writer is gone
(never while it may still be writing, even from another process of the same server).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

_PID = re.compile(r"\.tmp-(\d+)-|\.(\d+)\.tmp$")


def tmp_name(stem: str) -> str:
    """A temporary name for `stem` owned by this process: '.tmp-<pid>-<stem>'."""
    return f".tmp-{os.getpid()}-{stem}"


def write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically: a temporary name unique to this call (two writers,
    even in one process, never share it), then one rename. Readers see the old or the new file."""
    tmp = path.with_name(tmp_name(f"{uuid.uuid4().hex[:8]}-{path.name}"))
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return False
    return True


def writer_pid(name: str) -> int | None:
    """The process id in a temporary name ('.tmp-<pid>-…' or '….<pid>.tmp'), else None."""
    m = _PID.search(name)
    return int(m.group(1) or m.group(2)) if m else None


def sweep(folder: Path) -> list[str]:
    """Remove temporaries in `folder` whose writer process is gone; returns their names."""
    removed = []
    try:
        entries = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return removed
    for p in entries:
        pid = writer_pid(p.name) if p.name.startswith(".") else None
        if pid is None or pid_alive(pid):
            continue
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p.name)
    return removed

"""Where the project keeps its files: the repository's assets and the writable data folder."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"


def data_dir() -> Path:
    """The writable data folder: $CNN_EXPLORER_DATA, else <repo>/data.

    Read on every call (not at import) so tests and servers can point it elsewhere.
    """
    return Path(os.environ.get("CNN_EXPLORER_DATA") or ROOT / "data")

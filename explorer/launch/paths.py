"""Where the project keeps its files: the app's own files (app.py, pages/, assets/) and the
writable data folder.

Two layouts: a checkout (app.py beside explorer/, as after `git clone`), and an installed
copy (`pip install .`), where the app's files travel in the `cnn_explorer_app` folder beside
the installed explorer package (see pyproject.toml).
"""

from __future__ import annotations

import os
from pathlib import Path

_PARENT = Path(__file__).resolve().parents[2]
CHECKOUT = (_PARENT / "app.py").is_file()
ROOT = _PARENT if CHECKOUT else _PARENT / "cnn_explorer_app"
ASSETS = ROOT / "assets"


def data_dir() -> Path:
    """The writable data folder: $CNN_EXPLORER_DATA, else data/ in the checkout (an installed
    copy: data/ in the folder the command was started from, never inside site-packages).

    Read on every call (not at import) so tests and servers can point it elsewhere.
    """
    default = ROOT / "data" if CHECKOUT else Path.cwd() / "data"
    return Path(os.environ.get("CNN_EXPLORER_DATA") or default)

"""Captum, imported without IPython.

Every Captum subpackage imports `captum.attr` (captum/__init__.py), and that imports its notebook
helpers (captum/attr/_utils/visualization.py), which import IPython.display when IPython is
installed: IPython, jedi, prompt_toolkit, pygments, ... 115 modules and ~20 MB in every app
process (bench/README.md, "Imports a server does not need"), for `visualize_text` in a notebook,
which the app never calls (it draws its own heatmaps). Captum imports IPython inside
`try/except ImportError`, so while Captum is imported here `import IPython` fails (a None entry
in sys.modules, Python's documented way) and Captum takes its no-IPython path. A program that
imported IPython before (a notebook) keeps it, and Captum uses it there.

Modules that use Captum import this module first.
"""

from __future__ import annotations

import sys


def import_captum() -> None:
    """Import Captum (once per process), without IPython unless it was already loaded."""
    if "captum" in sys.modules or "IPython" in sys.modules:
        return
    sys.modules["IPython"] = None  # type: ignore[assignment] - `import IPython` raises ImportError
    try:
        import captum  # noqa: F401
    finally:
        if "IPython" in sys.modules and sys.modules["IPython"] is None:
            del sys.modules["IPython"]


import_captum()

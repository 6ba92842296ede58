"""Loading Sign Language Digits: first load (decode 2,062 JPEGs) and cached loads.

Compares the app's cached `datasets.load` with the bare `np.load` of the same cache file.
Usage: python -m bench.bench_data
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.common import median, table, timed

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    archive = os.environ.get("CNN_EXPLORER_SIGN_DIGITS") or str(ROOT.parent / "shared/data/sign-language-digits-master.zip")
    if not Path(archive).exists():
        sys.exit("Sign Language Digits archive not found: set CNN_EXPLORER_SIGN_DIGITS")
    os.environ["CNN_EXPLORER_SIGN_DIGITS"] = archive
    from explorer.data import datasets

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CNN_EXPLORER_DATA"] = tmp

        def cold():
            for p in Path(tmp).rglob("processed-*.npz"):
                p.unlink()
            datasets.load("sign-digits")

        cold_s = timed(cold, repeat=3, warmup=0)
        warm_s = timed(lambda: datasets.load("sign-digits"), repeat=10)
        cache = next(Path(tmp).rglob("processed-*.npz"))

        def bare():
            with np.load(cache, allow_pickle=False) as z:
                (z["pixels"].astype(np.float32) / 255.0)[:, None]

        bare_s = timed(bare, repeat=10)
        digits_s = timed(lambda: datasets.load("digits"), repeat=5)
    rows.append(["first load (decode + cache)", f"{median(cold_s):.2f} s", ""])
    rows.append(["cached load, datasets.load", f"{median(warm_s) * 1000:.0f} ms",
                 f"{median(warm_s) / median(bare_s):.2f}x bare"])
    rows.append(["bare np.load of the cache + scale", f"{median(bare_s) * 1000:.0f} ms", "1.00x"])
    rows.append(["bundled digits, datasets.load", f"{median(digits_s) * 1000:.0f} ms", ""])
    table("Sign Language Digits loading (median)", ["what", "time", "ratio"], rows)


if __name__ == "__main__":
    main()

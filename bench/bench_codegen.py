"""How long writing a "Show the code" script takes on a page rerun (explorer/codegen), per view.

The Architectures panel builds the network on the meta device and writes it out layer by layer;
the others only format text. Medians of repeated runs; the page caches the Architectures one
(explorer/ui/code_panel.py), this measures the uncached cost.

    OMP_NUM_THREADS=1 python -m bench.bench_codegen [--repeat 9]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from explorer import models  # noqa: E402
from explorer.codegen import architecture, conv, picture, script  # noqa: E402
from explorer.learn import kernels  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def arch(name: str):
    def run():
        with torch.device("meta"):
            model = models.build(name)
        architecture.script(model, name, models.info(name).input_size)
    return run


def convolution():
    s = conv.ConvSettings(picture.source_of("sample:china:3:512"), kernels.make("random", 11).astype(np.float32),
                          2, 3, 1, True)
    script.notebook(conv.script(s))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()
    rows = [("Convolution, 11x11 kernel, .py + notebook", convolution)]
    rows += [(f"Architectures: {n} (meta build + text)", arch(n)) for n in ("course_cnn", "alexnet", "vgg19", "resnet34")]
    print(f"{'view':<48} {'median ms':>10}")
    for label, fn in rows:
        print(f"{label:<48} {median_ms(fn, args.repeat):>10.1f}")
    print(f"(repeat {args.repeat}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()

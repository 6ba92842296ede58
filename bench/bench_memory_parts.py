"""Two memory costs of an app process measured alone, each in a fresh child process (its RSS is
its own): Maximal activations' top-k search by batch size, and oneDNN's / ideep's primitive caches
under the app's attribution calls. bench/README.md, "What a server held and did not need".

    flock /tmp/bench.lock python -m bench.bench_memory_parts          # ~1-2 min on 2 cores

Uses the FastNet that bench_protocol_load trains once per machine (trained here if missing:
3 epochs via the CLI). The top-k part needs Sign Language Digits (tests/conftest.py finds it).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import os
import subprocess

from bench.bench_protocol_load import bench_model
from tests.conftest import ROOT, real_archive

CHILD = r"""
import ctypes, os, sys, time
import torch
from explorer.saved import registry
from explorer.inspect import attribution, inspection, pixel_model
torch.set_num_threads(2)
libc = ctypes.CDLL("libc.so.6")
def status(key):
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(key)) / 1024
root = sys.argv[1]
mid = next(d for d in os.listdir(root) if not d.startswith("."))
net, card = registry.load(mid, root=root)
model = pixel_model.wrap(net, card.normalisation).eval()
for p in model.parameters():
    p.requires_grad_(False)
x = torch.rand(1, *card.input_size)
if sys.argv[2] == "topk":
    from explorer.data import datasets
    images = datasets.freeze(datasets.load("sign-digits", download_missing=False)).images
    names = [layer.name for layer in inspection.layers(model, card.input_size)[:4]]
    libc.malloc_trim(0)
    base = status("VmRSS")
    open("/proc/self/clear_refs", "w").write("5")  # VmHWM from here
    inspection.TOP_K_BATCH = 10**6  # measure the batch asked for, above the app's cap too
    t = time.perf_counter()
    for name in names:
        inspection.top_activations(model, images, card.input_size, name, 9, int(sys.argv[3]))
    print(f"{time.perf_counter() - t:.3f} {status('VmHWM') - base:.0f}")
else:
    attribution.attribute(model, x, 1, "saliency")
    libc.malloc_trim(0)
    base, t = status("VmRSS"), time.perf_counter()
    for target in range(3):
        for m in ("saliency", "integrated_gradients", "smoothgrad", "grad_cam", "guided_grad_cam"):
            attribution.attribute(model, x, target, m)
        for window in range(3, 17):
            for stride in (2, 4, 8):
                if stride <= window:
                    attribution.attribute(model, x, target, "occlusion", window=window, stride=stride)
    took = time.perf_counter() - t
    libc.malloc_trim(0)
    print(f"{took:.3f} {status('VmRSS') - base:.0f}")
"""


def child(models: Path, *args: str, env: dict | None = None) -> tuple[float, float]:
    """(seconds, MB) printed by one fresh child process."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(models), *args], cwd=ROOT, check=True, text=True,
                         capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "2",
                                                   "MALLOC_ARENA_MAX": "2", **(env or {})})
    took, mb = out.stdout.split()[-2:]
    return float(took), float(mb)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    _, data = bench_model(ROOT)
    models = data / "models"
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    if real_archive():
        print("\nMaximal activations' top-k search, four layers of FastNet over 2,062 pictures:")
        print(f"{'pictures per pass':>18} {'seconds':>9} {'MB at its peak':>15}")
        for _ in range(args.repeats):
            for batch in ("512", "128", "64"):
                took, mb = child(models, "topk", batch)
                print(f"{batch:>18} {took:>9.2f} {mb:>15.0f}")
    print("\nThe app's attribution calls (3 classes x 5 methods + 36 occlusion settings): RSS kept after them")
    print(f"{'primitive caches':>28} {'seconds':>9} {'MB kept':>8}")
    for _ in range(args.repeats):
        for label, env in (("default (1,024 each)", {}),
                           ("both capped at 16", {"LRU_CACHE_CAPACITY": "16", "ONEDNN_PRIMITIVE_CACHE_CAPACITY": "16"})):
            took, mb = child(models, "caches", env=env)
            print(f"{label:>28} {took:>9.2f} {mb:>8.0f}")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

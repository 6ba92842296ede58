"""What explorer/random_state.py's blocks cost (round 14 of issue 21), each against the plain
PyTorch call, taking turns in one process so that a drift of the machine slows both alike:

- a dropout network's own sequence of masks: a training step of the course's CNN and of the
  course's fully connected network (batch 128 of 64x64, Adam) with its forward pass inside
  `Stream.drawing()`, against the same step drawing straight from the global generator; and the
  lending alone (an empty `drawing()` block);
- opening a saved model (`registry.load`: its network built inside `seeded`, then the saved
  weights put in) against `from_spec.build` + `safetensors.torch.load_file` + `load_state_dict`.

    python -m bench.bench_random_state [--steps 60] [--threads 2]     # about 4.5 min on 2 cores
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

from bench.common import median, percentile, table
from explorer import models, random_state
from explorer.models import from_spec
from explorer.saved import registry
from explorer.train import device
from tests import inspect_helpers


def _step(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, block) -> float:
    start = time.perf_counter()
    with block:
        loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return time.perf_counter() - start


def paired(name: str, steps: int) -> list:
    """[network, plain ms, with Stream ms, ratio] over `steps` alternating steps after 10 untimed."""
    torch.manual_seed(0)
    model = models.build(name, in_channels=1, num_classes=10, input_size=(64, 64)).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.rand(128, 1, 64, 64), torch.randint(0, 10, (128,))
    stream = random_state.Stream.starting(0)
    plain, lent = [], []
    for i in range(steps + 10):
        a = _step(model, opt, x, y, contextlib.nullcontext())
        b = _step(model, opt, x, y, stream.drawing())
        if i >= 10:
            plain.append(a)
            lent.append(b)
    mp, ml = median(plain) * 1e3, median(lent) * 1e3
    return [name, f"{mp:.2f} ({percentile(plain, 10) * 1e3:.2f})", f"{ml:.2f} ({percentile(lent, 10) * 1e3:.2f})",
            f"{ml / mp:.3f}"]


def empty_block(block, times: int = 2000) -> float:
    """Microseconds for entering and leaving one empty block (`block()` makes it), median of 5 x times."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(times):
            with block():
                pass
        runs.append((time.perf_counter() - start) / times * 1e6)
    return median(runs)


def opening(name: str, root: Path, times: int = 40) -> list:
    """[network, plain ms, registry.load ms, ratio]: medians of `times` opens of each, in turns."""
    spec = {"architecture": name, "options": {"in_channels": 1, "num_classes": 10, "input_size": [64, 64]}}
    saved = inspect_helpers.save_untrained(spec, name, root)
    weights = str(saved.path / registry.WEIGHTS)
    plain, app = [], []
    for i in range(times + 3):
        start = time.perf_counter()
        from_spec.build(spec).load_state_dict(load_file(weights))
        middle = time.perf_counter()
        registry.load(saved.id, root)
        end = time.perf_counter()
        if i >= 3:
            plain.append(middle - start)
            app.append(end - middle)
    mp, ma = median(plain) * 1e3, median(app) * 1e3
    return [name, f"{mp:.2f}", f"{ma:.2f}", f"{ma / mp:.3f}"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    device.own_threads(args.threads)
    rows = [paired(name, args.steps) for name in ("course_cnn", "course_mlp")]
    table(f"A training step, batch 128 of 64x64, {args.threads} threads, {args.steps} steps each in turns: "
          "median ms (p10)", ["network", "plain PyTorch step", "forward inside Stream.drawing()", "ratio"], rows)
    stream = random_state.Stream.starting(0)
    print(f"\nan empty Stream.drawing() block: {empty_block(stream.drawing):.1f} us; "
          f"an empty seeded(0) block: {empty_block(lambda: random_state.seeded(0)):.1f} us")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [opening(name, Path(tmp)) for name in ("fastnet", "course_cnn")]
    table("Opening a saved model, 40 opens each in turns: median ms",
          ["network", "build + load_file + load_state_dict", "registry.load (build in a seeded block)", "ratio"], rows)


if __name__ == "__main__":
    main()

"""Does a worker's own thread count reach the server's page runs? (bench/README.md, round 13)

    python -m bench.bench_threads [--threads 2] [--repeat 7]

The server's torch thread count is set as the device probe sets it. Each measurement runs in a
new thread, as a page run does (Streamlit runs each in a thread of its own): the Occlusion map
(8x8 window, stride 1) and Integrated Gradients of the default net on a 64x64 picture, first on a
server where nothing else has run torch, then after the live camera's worker has read one frame
(it runs on 1 thread for itself), then after the Neurons page's activation race (1 thread for its
three tiny networks); and 20 of FastNet's training steps, as a training job (also a thread of its
own) runs them. Run it in an earlier checkout (`git worktree add DIR <commit>`, this file
copied in) for the before column. Medians of --repeat runs, milliseconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import os
import threading
import time

import torch

from bench.bench_attribution import default_net
from bench.common import median, table
from explorer import models
from explorer.inspect import attribution, live
from explorer.train import device


def in_a_page_run(work) -> tuple[int, float]:
    """(torch threads, seconds) of work() in a new thread."""
    out: list[tuple[int, float]] = []

    def run() -> None:
        t = time.perf_counter()
        work()
        out.append((torch.get_num_threads(), time.perf_counter() - t))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


def training_steps(steps: int = 20) -> None:
    """FastNet's training steps on a batch of 32 (forward, backward, SGD), as a training job runs them."""
    torch.manual_seed(0)
    net = models.build("fastnet", in_channels=1, num_classes=10, input_size=[64, 64])
    net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    xb, yb = torch.rand(32, 1, 64, 64).to(memory_format=torch.channels_last), torch.randint(0, 10, (32,))
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(xb), yb).backward()
        opt.step()


def phase(name: str, model, x, repeat: int) -> list:
    maps = {"occlusion 8x8, stride 1": lambda: attribution.attribute(model, x, 3, "occlusion", window=8, stride=1),
            "integrated gradients": lambda: attribution.attribute(model, x, 3, "integrated_gradients"),
            "20 training steps": training_steps}
    row: list = [name]
    for work in maps.values():
        runs = [in_a_page_run(work) for _ in range(repeat)]
        row += [f"{median([s for _, s in runs]) * 1000:.0f}"]
    row.insert(1, runs[-1][0])
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    device.set_threads(args.threads)  # as the device probe does, once per server
    model, x = default_net(), torch.rand(1, 1, 64, 64)
    in_a_page_run(lambda: attribution.attribute(model, x, 3, "occlusion", window=8, stride=1))  # warm-up
    load = os.getloadavg()[0]
    rows = [phase("nothing else has run torch", model, x, args.repeat)]
    live.FairWorker().run("camera", lambda: model(x), timeout=60)
    rows.append(phase("after the live camera's worker read a frame", model, x, args.repeat))
    from explorer.ui import blocks_pytorch  # Streamlit's cache works without a server (a warning)

    blocks_pytorch._race(100, 0)
    rows.append(phase("after the activation race", model, x, args.repeat))
    table(f"A page run's torch work, server count {args.threads} (load {load:.1f} -> "
          f"{os.getloadavg()[0]:.1f}), median of {args.repeat}, ms",
          ["server state", "threads a new thread got", "occlusion 8x8, stride 1", "integrated gradients",
           "20 training steps"], rows)


if __name__ == "__main__":
    main()

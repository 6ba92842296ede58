"""Does Keras's initialisation explain the MLP's gap to the course's 0.7748? Measured.

    CNN_EXPLORER_SIGN_DIGITS=/path/to/sign-language-digits-master.zip \\
        python -m bench.course_mlp_init [--seeds 0,1,2]

The course's MLP ran in Keras: dense weights Glorot-uniform, biases 0, Adam epsilon 1e-7.
PyTorch's nn.Linear starts from Kaiming-uniform(a=sqrt(5)) weights and small random biases,
and its Adam uses epsilon 1e-8. Same network, same schedule (Adam 0.001, batch 128, 50
epochs), same split; one table row per seed and initialisation. No assertion.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch
from torch import nn

from explorer.compare import course_mlp
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT  # noqa: E402
from explorer.train import device


def keras_like(model: nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def run(train, test, seed: int, keras: bool) -> float:
    s = course_mlp.Schedule(seed=seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = course_mlp.build(train.image_shape, len(train.classes))
        if keras:
            keras_like(model)
        x = torch.from_numpy(np.ascontiguousarray(train.images))
        y = torch.from_numpy(np.ascontiguousarray(train.labels))
        opt = torch.optim.Adam(model.parameters(), lr=s.lr, eps=1e-7 if keras else 1e-8)
        gen = torch.Generator().manual_seed(seed)
        loss_fn = nn.CrossEntropyLoss()
        for _ in range(s.epochs):
            model.train()
            for idx in torch.randperm(len(x), generator=gen).split(s.batch_size):
                opt.zero_grad()
                loss_fn(model(x[idx]), y[idx]).backward()
                opt.step()
    pred = course_mlp.predict(model, torch.from_numpy(np.ascontiguousarray(test.images)), torch.device("cpu"))
    return float((pred == test.labels).mean())


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--only", choices=("pytorch", "keras"), help="run one initialisation only")
    args = p.parse_args()
    device.set_threads(1)
    ds = datasets.load("sign-digits", download_missing=False)
    train, test = datasets.split(ds, COURSE_SPLIT)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; course: 0.7748")
    print("| initialisation | accuracy per seed | median | median - course (points) | seconds per run |")
    print("| --- | --- | --- | --- | --- |", flush=True)
    for keras in (False, True):
        if args.only and args.only != ("keras" if keras else "pytorch"):
            continue
        accs, secs = [], []
        for seed in (int(s) for s in args.seeds.split(",")):
            t = time.perf_counter()
            accs.append(run(train, test, seed, keras))
            secs.append(time.perf_counter() - t)
        med = statistics.median(accs)
        name = "Keras (Glorot-uniform, zero bias, eps 1e-7)" if keras else "PyTorch default (the app's)"
        print(f"| {name} | {', '.join(f'{a:.4f}' for a in accs)} | {med:.4f} | {(med - 0.7748) * 100:+.1f} | "
              f"{statistics.median(secs):.0f} |", flush=True)


if __name__ == "__main__":
    main()

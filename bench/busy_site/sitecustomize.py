"""Imported by Python at start when this folder is on PYTHONPATH (bench/bench_learn_busy.py):
$BENCH_BUSY_THREADS threads that only spin in Python, standing in for the trainings' and other
students' threads that hold the GIL in a busy app process."""

import os
import threading


def _spin() -> None:
    n = 0
    while True:
        n += 1


for _ in range(int(os.environ.get("BENCH_BUSY_THREADS", "0"))):
    threading.Thread(target=_spin, name="bench-busy", daemon=True).start()

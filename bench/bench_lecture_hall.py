"""What a lecture hall's extra parts buy: Dask workers for trainings, HAProxy in front of the apps.

    python -m bench.bench_lecture_hall [--quick] [--repeat 3] [--epochs 4] [--skip-proxy]

1. Two trainings at once, submitted as the Train page does (runs.submit on a JobManager that
   runs 2 at once): FastNet with its default schedule (--epochs overrides) on Sign Language
   Digits (the bundled digits without the archive). In the app's process (no cluster: the
   default), then on a Dask cluster of 1 and of 2 worker processes (LocalCluster, one thread
   each, as deploy/lecture_hall.sh starts them). Seconds until both runs end, median of
   --repeat, after one untimed warm-up run per setting (imports, first optimizer).
2. Through HAProxy or straight to one app process (deploy/lecture_hall.sh on free ports):
   GET / and GET /_stcore/health (median of 50), and the time to a first page in Chromium
   (a fresh browser context until the Home page's title is drawn; median of --repeat).

--dask-defaults: the workers keep Dask's MALLOC_TRIM_THRESHOLD_=65536 (deploy/dask.yaml
removes it). --quick: one repeat, 2 epochs. Prints tables; asserts nothing. About 3 minutes
(--quick: 2) on a 2-core machine at load average 3-5.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, median, table
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.server import jobs
from explorer.train import cluster, recipes, runs, training

ROOT = Path(__file__).resolve().parent.parent


def load_uptime() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def dataset() -> datasets.Dataset:
    archive = os.environ.get("CNN_EXPLORER_SIGN_DIGITS") or next(iter(sorted(
        (ROOT.parent / "shared" / "data").glob("*ign*igit*.zip"))), None)
    if archive:
        os.environ["CNN_EXPLORER_SIGN_DIGITS"] = str(archive)
        return datasets.load("sign-digits", download_missing=False)
    return datasets.load("digits")


def two_trainings(ds: datasets.Dataset, epochs: int, root: Path) -> float:
    """Seconds until two FastNet runs submitted at once have both ended."""
    train, test = datasets.split(ds, COURSE_SPLIT)
    config = training.TrainConfig(**{**recipes.default_schedule("fastnet"), "epochs": epochs, "threads": 1})
    manager = jobs.JobManager(max_running=2)
    start = time.perf_counter()
    started = [runs.submit(manager, runs.TrainRequest(recipes.model_spec("fastnet", ds), config, ds.name, train,
                                                      test, COURSE_SPLIT, f"bench {i}", root=root))
               for i in range(2)]
    if not manager.wait_all(1800):
        raise RuntimeError("the trainings did not end within 30 minutes")
    for job in started:
        if job.state != jobs.DONE:
            raise RuntimeError(f"a training ended {job.state}: {job.error}")
    return time.perf_counter() - start


def bench_trainings(args, root: Path) -> None:
    import dask
    from distributed import LocalCluster

    # As deploy/dask.yaml does for the lecture hall's workers (Dask's MALLOC_TRIM_THRESHOLD_
    # made every epoch 2-5 times slower on a worker); --dask-defaults measures without it.
    if not args.dask_defaults:
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})

    ds = dataset()
    rows = []
    settings = [("in the app's process (no cluster)", 0), ("Dask, 1 worker", 1), ("Dask, 2 workers", 2)]
    base = None
    for label, workers in settings:
        os.environ.pop(cluster.SCHEDULER_ENV, None)
        hall = None
        if workers:
            hall = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            os.environ[cluster.SCHEDULER_ENV] = hall.scheduler_address
        try:
            before = load_uptime()
            two_trainings(ds, 1, root)  # warm-up: imports and the first optimizer on every worker
            times = [two_trainings(ds, args.epochs, root) for _ in range(args.repeat)]
        finally:
            if hall is not None:
                app_client = cluster._clients.pop(hall.scheduler_address, None)
                if app_client is not None:
                    app_client.close()
                hall.close()
        t = median(times)
        base = base or t
        rows.append([label, f"{t:.1f}", f"{base / t:.2f}x", " ".join(f"{v:.1f}" for v in times),
                     f"{before} -> {load_uptime()}"])
    table(f"Two FastNet trainings at once on {ds.name}, {args.epochs} epochs (seconds until both end)",
          ["where", "median s", "speed-up", "runs", "load average (1, 5, 15 min) before -> after"], rows)


def get_seconds(url: str, n: int = 50) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
        times.append(time.perf_counter() - t)
    return median(times)


def first_page_seconds(browser, url: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    t = time.perf_counter()
    page.goto(url)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=180_000)
    seconds = time.perf_counter() - t
    context.close()
    return seconds


def bench_proxy(args, base: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port

    ports = {k: str(free_port()) for k in ("LH_PORT", "LH_APP1_PORT", "LH_APP2_PORT", "LH_DASK_PORT")}
    env = {**os.environ, **ports, "LH_RUN": str(base / "run"), "CNN_EXPLORER_DATA": str(base / "data"),
           "PYTHON": sys.executable}
    script = ROOT / "deploy" / "lecture_hall.sh"
    subprocess.run(["bash", str(script), "start"], env=env, check=True)
    proxy, direct = f"http://127.0.0.1:{ports['LH_PORT']}", f"http://127.0.0.1:{ports['LH_APP1_PORT']}"
    try:
        before = load_uptime()
        rows = [[what, f"{get_seconds(proxy + path) * 1000:.1f}", f"{get_seconds(direct + path) * 1000:.1f}"]
                for what, path in (("GET / (the page's HTML)", "/"), ("GET /_stcore/health", "/_stcore/health"))]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            first_page_seconds(browser, direct)  # each process imports torch for its first session
            first_page_seconds(browser, f"http://127.0.0.1:{ports['LH_APP2_PORT']}")
            via = [first_page_seconds(browser, proxy) for _ in range(args.repeat)]
            straight = [first_page_seconds(browser, direct) for _ in range(args.repeat)]
            browser.close()
        rows.append(["first page in Chromium (Home drawn)", f"{median(via) * 1000:.0f}",
                     f"{median(straight) * 1000:.0f}"])
    finally:
        subprocess.run(["bash", str(script), "stop"], env=env, check=False)
    table(f"Through HAProxy or straight to one app process (median ms; load average {before} -> {load_uptime()})",
          ["request", "via HAProxy", "direct"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, 2 epochs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--skip-proxy", action="store_true", help="trainings only (no haproxy needed)")
    parser.add_argument("--dask-defaults", action="store_true",
                        help="workers with Dask's own MALLOC_TRIM_THRESHOLD_ (not deploy/dask.yaml's)")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.epochs = 1, args.epochs or 2
    args.epochs = args.epochs or recipes.default_schedule("fastnet")["epochs"]
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        bench_trainings(args, Path(tmp) / "models")
        if not args.skip_proxy:
            if shutil.which("haproxy") is None:
                print("\nhaproxy is not installed: the proxy table is left out (bash tests/ensure-haproxy.sh).")
            else:
                bench_proxy(args, Path(tmp))


if __name__ == "__main__":
    main()

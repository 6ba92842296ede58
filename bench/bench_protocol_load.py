"""A class on one server, measured without browsers: N students speak Streamlit's websocket
protocol (bench/protocol_client.py) while two trainings run.

A private `streamlit run` on a fresh data folder; first a FastNet is trained for 3 epochs with
the CLI so the Inspect pages have a model. Two sessions open the Train page, set 40 epochs and
press Train (real jobs of the app's job manager) and keep following the page's live fragment
like a browser does. Then `--users` students, each its own session, start a few tenths of a
second apart and walk `--rounds` times over Convolution (stride), Pooling (kind), 1-D
convolution (example), Architectures (LeNet-5 / VGG-16), Filters (epoch), Maximal activations
(channel), Occlusion (window) and Saliency (next test picture), waiting about `--think` seconds
(uniformly 0.5x to 1.5x) before each page and each change. A request is timed from the message
sent until its run finished and every /media/ file it drew was fetched. Server RSS and CPU
from /proc every 0.5 s.

    flock /tmp/bench.lock python -m bench.bench_protocol_load --users 60
    python -m bench.bench_protocol_load --quick          # 10 students, one round (~2 min)
    python -m bench.bench_protocol_load --app /path/to/other/checkout   # measure another version
    flock /tmp/bench.lock python -m bench.bench_protocol_load --users 60 --processes 2 --probe
        # and what each server's memory is made of (bench/memory_probe.py)

Memory: peak RSS per app process and their sum (issue 16's target), peak PSS and private memory,
the processes together with shared pages counted once, and the grouped smaps at each RSS peak.
The servers get the environment the app's launchers give (explorer/server/memory.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import memory_probe
from bench.bench_load import ServerSampler
from bench.common import machine, median, percentile
from bench.protocol_client import Session, Widget, current
from tests.browser.conftest import free_port, stop_server, wait_healthy
from tests.conftest import ROOT, real_archive

REQUEST_TIMEOUT_S = 180


def step_slider(s: Session, w: Widget, down_first: bool = False):
    """One step of a slider away from the end it is at (select_slider: one option)."""
    p = w.proto
    if p.options:
        opts, i = list(p.options), list(p.options).index(current(s, w))
        return opts[i - 1] if (down_first and i > 0) or i == len(opts) - 1 else opts[i + 1]
    now = current(s, w)
    return now - p.step if (down_first and now > p.min) or now + p.step > p.max else now + p.step


def other_option(s: Session, w: Widget, among: tuple[str, ...] = ()):
    """Another option than the one shown (among the given ones, else the next in the list)."""
    opts = [o.content for o in w.proto.options] if w.kind == "button_group" else list(w.proto.options)
    now = current(s, w)
    if among:
        return next(o for o in opts if any(a in o for a in among) and o != now)
    return opts[(opts.index(now) + 1) % len(opts)]


def next_number(s: Session, w: Widget):
    now = current(s, w)
    return now + 1 if now + 1 <= w.proto.max else w.proto.min


@dataclass
class Step:
    page: str  # url path
    title: str  # for the table
    section: str  # Learn or Inspect: which target applies
    action: str
    label: str  # the widget changed
    choose: Callable[[Session, Widget], object]


STEPS = [
    Step("convolution", "Convolution", "Learn", "move the stride", "Stride", step_slider),
    Step("pooling", "Pooling", "Learn", "change the kind", "Kind", lambda s, w: other_option(s, w, ("Max", "Average"))),
    Step("convolution_1d", "1-D convolution", "Learn", "change the example", "Example", other_option),
    Step("architectures", "Architectures", "Learn", "LeNet-5 / VGG-16", "Architecture",
         lambda s, w: other_option(s, w, ("LeNet-5", "VGG-16"))),
    Step("filters", "Filters", "Inspect", "another epoch", "After epoch",
         lambda s, w: step_slider(s, w, down_first=True)),
    Step("max_activations", "Max activations", "Inspect", "next channel", "Channel", next_number),
    Step("occlusion", "Occlusion", "Inspect", "window size", "Window", step_slider),
    Step("saliency", "Saliency", "Inspect", "next test picture", "Picture (", step_slider),
]
TARGETS_MS = {"Learn": 300, "Inspect": 1000, "open": 3000}


@dataclass
class Results:
    times: dict = field(default_factory=lambda: defaultdict(list))  # (title, what) -> [ms]
    kb: dict = field(default_factory=lambda: defaultdict(list))  # (title, what) -> [KB of media]
    errors: list = field(default_factory=list)

    def add(self, key: tuple[str, str], run, who: str) -> None:
        self.times[key].append(run.ms)
        self.kb[key].append(run.media_bytes / 1024)
        self.errors += [f"{who} {key[0]} {key[1]}: {e}" for e in run.errors]


async def timed(coro):
    return await asyncio.wait_for(coro, REQUEST_TIMEOUT_S)


async def student(url: str, n: int, args, res: Results) -> None:
    rng = random.Random(n)
    await asyncio.sleep(n * args.stagger)
    s = Session(url)
    try:
        res.add(("Home", "first visit"), await timed(s.connect()), f"student {n}")
        for _ in range(args.rounds):
            for step in STEPS:
                who = f"student {n}"
                try:
                    await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
                    res.add((step.title, "open"), await timed(s.open(step.page)), who)
                    await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
                    value = step.choose(s, s.widget(step.label))
                    res.add((step.title, step.action), await timed(s.set(step.label, value)), who)
                except (TimeoutError, LookupError, StopIteration) as exc:
                    res.errors.append(f"{who} {step.title}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await s.close()


async def trainer(url: str) -> Session:
    """A student who starts FastNet for 40 epochs on the Train page and keeps watching it."""
    s = Session(url, follow_auto_reruns=True)
    await timed(s.connect("train"))
    await timed(s.set("Epochs", s.widget("Epochs").proto.max))
    run = await timed(s.click("Train"))
    if run.errors:
        raise RuntimeError(f"the training did not start: {run.errors}")
    return s


def train_cli_model(data: Path, app: Path, dataset: str) -> float:
    t = time.perf_counter()
    env = {**os.environ, "CNN_EXPLORER_DATA": str(data)}
    if real_archive():
        env["CNN_EXPLORER_SIGN_DIGITS"] = str(real_archive())
    subprocess.run([sys.executable, "-m", "explorer.train", "--dataset", dataset, "--epochs", "3",
                    "--threads", "2", "--seed", "0", "--quiet", "--name", "bench net"],
                   cwd=app, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def start_server(app: Path, data: Path, threads: int, env_extra: dict | None = None,
                 log_name: str = "streamlit.log", probe: bool = False) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # The launchers' environment (cnn-explorer, deploy/lecture_hall.sh: explorer/server/memory.py) under
    # the caller's own settings.
    env = {**launcher_environment(app), **os.environ, "CNN_EXPLORER_DATA": str(data),
           "CNN_EXPLORER_THREADS": str(threads), "OMP_NUM_THREADS": str(threads), **(env_extra or {})}
    env.pop("CNN_EXPLORER_WARM_UP", None)  # tests/conftest.py (imported here) turns it off for the suite only
    if real_archive():
        env["CNN_EXPLORER_SIGN_DIGITS"] = str(real_archive())
    # As the README starts the app; --probe adds a thread that writes malloc's and the shared
    # store's counts (bench/memory_probe.py, from this checkout whichever app is served).
    run = [str(Path(__file__).with_name("memory_probe.py")), "serve"] if probe else ["-m", "streamlit", "run"]
    if probe:
        env.update(PYTHONPATH=str(app), CNN_EXPLORER_PROBE=str(data / f"{log_name}.probe.jsonl"))
    cmd = [sys.executable, *run, "app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(data / log_name, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, proc, timeout=120)
    return proc, url


def launcher_environment(app: Path) -> dict[str, str]:
    """What the served checkout's launchers add to the environment (none in versions before
    explorer/server/memory.py existed)."""
    code = ("import json\ntry:\n    from explorer.server import memory\n"
            "except ImportError:  # versions before explorer/ was grouped into sections\n"
            "    from explorer import memory\nprint(json.dumps(memory.environment()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=app, capture_output=True, text=True, check=False)
    return json.loads(out.stdout) if out.returncode == 0 else {}


def start_cluster(app: Path, data: Path, workers: int) -> tuple[list[subprocess.Popen], str]:
    """A Dask scheduler and `workers` workers as deploy/lecture_hall.sh starts them (one thread,
    nice 10, deploy/dask.yaml, explorer.train.runs preloaded); returns them and the address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(app), "DASK_CONFIG": str(app / "deploy" / "dask.yaml"),
           "OMP_NUM_THREADS": "1", "CNN_EXPLORER_DATA": str(data)}
    if real_archive():
        env["CNN_EXPLORER_SIGN_DIGITS"] = str(real_archive())
    with open(data / "dask.log", "wb") as log:  # the children keep their own copy of the file
        procs = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-dashboard"], cwd=app, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)]
        for i in range(workers):
            procs.append(subprocess.Popen(
                ["nice", "-n", "10", sys.executable, "-m", "dask", "worker", address, "--name", f"worker-{i + 1}",
                 "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
                 "--preload", "explorer.train.runs"], cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True))
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=120)
    return procs, address


def stop_cluster(procs: list[subprocess.Popen]) -> None:
    for p in reversed(procs):  # workers (and their nanny's child) first, the scheduler last
        try:
            os.killpg(p.pid, 15) if p is not procs[0] else p.terminate()
        except ProcessLookupError:
            pass
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants (a Dask worker's nanny runs the worker as
    its child)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        children = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                children += [int(c) for c in fh.read().split()]
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(tree_cpu(c) for c in children)


def own_cpu() -> float:
    """CPU seconds of this process (the simulated students): they share the machine with the server."""
    t = os.times()
    return t.user + t.system


def bench_model(app: Path) -> tuple[str, Path]:
    """The dataset's name and the data folder holding the benches' FastNet, trained once per
    machine (3 min on 2 busy cores) and copied for each run."""
    dataset = "sign-digits" if real_archive() else "digits"
    model = Path(tempfile.gettempdir()) / f"bench-protocol-model-{dataset}"
    if not model.exists():
        fresh = Path(tempfile.mkdtemp(prefix="bench-protocol-train-"))
        print(f"Training the model for the Inspect pages: FastNet, 3 epochs on {dataset} via the CLI "
              f"({train_cli_model(fresh, app, dataset):.0f} s)")
        fresh.rename(model)
    return dataset, model


async def run(args) -> None:
    app = Path(args.app).resolve()
    dataset, model = bench_model(app)
    data = args.data = Path(tempfile.mkdtemp(prefix="bench-protocol-"))
    shutil.copytree(model, data, dirs_exist_ok=True)
    print(f"app: {app}; data: {data} (the model from {model}); {args.processes} app process(es)"
          + (f", trainings on {args.dask_workers} Dask worker(s)" if args.dask_workers else ""))
    load_before = os.getloadavg()
    cluster, env_extra = [], {}
    servers = []
    try:
        if args.dask_workers:
            cluster, address = start_cluster(app, data, args.dask_workers)
            env_extra["CNN_EXPLORER_DASK_SCHEDULER"] = address
        for i in range(args.processes):  # one data folder: a lecture hall on one machine
            servers.append(start_server(app, data, args.threads, env_extra, f"streamlit-{i + 1}.log", args.probe))
        await walk_class(args, servers, cluster, load_before)
    finally:
        for proc, _ in servers:
            stop_server(proc)
        stop_cluster(cluster)


async def walk_class(args, servers: list, cluster: list, load_before: tuple) -> None:
    """Trainings, then the students; students and trainers spread over the app processes in
    turn, as HAProxy's leastconn does with equal connections (its ~0.5 ms is left out)."""
    samplers = [MemorySampler(p.pid) for p, _ in servers]
    for sm in samplers:
        sm.start()
    urls = [u for _, u in servers]
    res, trainers = Results(), []
    try:
        for i in range(args.trainings):
            trainers.append(await trainer(urls[i % len(urls)]))
        t0, own0, workers0 = time.perf_counter(), own_cpu(), sum(tree_cpu(p.pid) for p in cluster[1:])
        await asyncio.gather(*(student(urls[n % len(urls)], n, args, res) for n in range(args.users)))
        walked = time.perf_counter() - t0
        cpu = sum(sm.cpu_between(t0, time.perf_counter()) for sm in samplers)
        workers_cpu = (sum(tree_cpu(p.pid) for p in cluster[1:]) - workers0) / walked
        client_cpu = (own_cpu() - own0) / walked
        still = sum(not any("Saved as" in t for t in s.run.texts) for s in trainers)
        for s in trainers:
            await s.close()
    finally:
        for sm in samplers:
            sm.stop.set()
    report(args, res, [m for _, m, _ in samplers[0].samples], walked, cpu, still, load_before, os.getloadavg())
    if args.probe:  # ask each server for a census of its Python objects, wait for the answers
        probes = sorted(args.data.glob("*.probe.jsonl"))
        for path in probes:
            Path(f"{path}.census").touch()
        end = time.monotonic() + 90
        while any(Path(f"{path}.census").exists() for path in probes) and time.monotonic() < end:
            await asyncio.sleep(1)
    report_memory(samplers, [p.pid for p in cluster[1:]],
                  sorted(args.data.glob("*.probe.jsonl")) if args.probe else [], t0)
    if cluster:
        print(f"Dask workers' CPU during the walk (the trainings, nice 10): {workers_cpu:.2f} cores")
    print(f"the simulated students' own CPU (this process): {client_cpu:.2f} cores")


class MemorySampler(ServerSampler):
    """ServerSampler that also reads Pss and Private from smaps_rollup, and keeps the grouped
    smaps (bench/memory_probe.py) of the sample with the highest RSS."""

    def __init__(self, pid: int):
        super().__init__(pid)
        self.pss, self.private, self.peak_groups, self._peak = [], [], {}, 0.0

    def sample(self):
        t, rss, cpu = super().sample()
        r = memory_probe.rollup(self.pid)
        self.pss.append(r["Pss"] / 1024)
        self.private.append((r["Private_Clean"] + r["Private_Dirty"]) / 1024)
        if rss > self._peak + 8:  # a new peak: what it is made of (reading smaps takes ~20 ms)
            self._peak, self.peak_groups = rss, memory_probe.smaps_groups(self.pid)
        return t, rss, cpu


def tree_rss(pids: list[int]) -> float:
    """RSS (MB) now of processes and their children (a Dask worker runs under its nanny)."""
    total = 0.0
    for pid in pids:
        try:
            total += memory_probe.rollup(pid)["Rss"] / 1024
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    total += tree_rss([int(c) for c in fh.read().split()])
        except OSError:
            pass
    return total


def report_memory(samplers: list[MemorySampler], worker_pids: list[int], probed: list[Path],
                  walk_start: float = 0.0) -> None:
    """Peak RSS (the issue's target: their sum), peak PSS (libraries shared by the processes
    counted once) and private memory per app process; the Dask workers' RSS at the end."""
    rss = [max((m for _, m, _ in sm.samples), default=0.0) for sm in samplers]
    # The peak is one moment (a few students' requests in flight at once) and moves by +-50 MB
    # between runs of the same code; the median over the walk moves less.
    walk = [[m for t, m, _ in sm.samples if t >= walk_start] for sm in samplers]
    if all(walk):
        print(f"RSS per app process during the walk, median: {', '.join(f'{median(w):.0f} MB' for w in walk)} "
              f"(sum {sum(median(w) for w in walk):.0f} MB); at its end: {', '.join(f'{w[-1]:.0f} MB' for w in walk)} "
              f"(sum {sum(w[-1] for w in walk):.0f} MB)")
    pss = [max(sm.pss, default=0.0) for sm in samplers]
    private = [max(sm.private, default=0.0) for sm in samplers]
    when = [max(sm.samples, key=lambda s: s[1])[0] - walk_start if sm.samples else 0.0 for sm in samplers]
    print(f"peak RSS per app process: {', '.join(f'{r:.0f} MB ({w:.0f} s into the walk)' for r, w in zip(rss, when))}"
          f" (sum {sum(rss):.0f} MB; "
          f"target <= 1536 MB: {'met' if sum(rss) <= 1536 else 'MISSED'})")
    print(f"peak PSS per app process: {', '.join(f'{r:.0f} MB' for r in pss)} (sum {sum(pss):.0f} MB); "
          f"peak private: {', '.join(f'{r:.0f} MB' for r in private)} (sum {sum(private):.0f} MB)")
    # Shared pages (the libraries, mapped by both) once, and each process's private memory: what
    # the processes hold together. Pss divides a page among every process mapping it, other
    # programs' too, so on a machine running other Python + torch work its sum comes out lower.
    shared = max((r - p for r, p in zip(rss, private)), default=0.0)
    print(f"together, shared pages counted once: {sum(private) + shared:.0f} MB (private {sum(private):.0f} MB "
          f"+ shared {shared:.0f} MB)")
    if worker_pids:
        print(f"Dask workers' RSS at the end (nanny and worker): {tree_rss(worker_pids):.0f} MB")
    for sm in samplers:
        print(f"\nat the RSS peak of pid {sm.pid} (MB):")
        print(f"{'group':<56} {'Rss':>7} {'Pss':>7} {'Private':>8}")
        for name, g in sorted(sm.peak_groups.items(), key=lambda kv: -kv[1].get("Rss", 0)):
            private = g.get("Private_Clean", 0) + g.get("Private_Dirty", 0)
            print(f"{name:<56} {g.get('Rss', 0) / 1024:>7.0f} {g.get('Pss', 0) / 1024:>7.0f} {private / 1024:>8.0f}")
    for path in probed:  # counts from inside each server: where malloc's total was highest, and the last
        lines = [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
        for when, line in (("peak", max(lines, key=lambda x: x["arena"] + x["hblkhd"], default=None)),
                           ("end", lines[-1] if lines else None)):
            if line:
                mb = {k: line[k] / 2**20 for k in ("arena", "hblkhd", "uordblks", "fordblks", "store_bytes",
                                                   "store_max")}
                print(f"{path.name} ({when}): malloc heaps {mb['arena']:.0f} MB + mmap'd blocks {mb['hblkhd']:.0f} MB;"
                      f" in use {mb['uordblks']:.0f} MB, free but kept {mb['fordblks']:.0f} MB; {line['arenas']} "
                      f"arenas, {line['threads']} threads; shared store {mb['store_bytes']:.0f} MB of "
                      f"{mb['store_max']:.0f} MB, {line['store_entries']} entries"
                      + (f"; {line['trims']} trims, {line['trim_seconds'] * 1e3:.0f} ms in all" if "trims" in line else "")
                      + (f"; loaded: {', '.join(line['modules'])}" if "modules" in line else ""))
        for line in lines:
            if "census" in line:
                print(f"{path.name}: Python objects after the walk (type, MB, count): "
                      + "; ".join(f"{t} {mb:.1f} MB x{n}" for t, mb, n in line["census"]))
            if "buffers" in line:
                print(f"{path.name}: {line['all_modules']} modules, the most from: "
                      + ", ".join(f"{p} {n}" for p, n in line["packages"]))
                print(f"{path.name}: the largest arrays and tensors (MB, held by): "
                      + "; ".join(f"{what} {mb:.1f} MB ({by})" for what, mb, by in line["buffers"]))


def report(args, res: Results, rss: list[float], walked: float, cpu: float, trainings_running: int,
           load_before: tuple, load_after: tuple) -> None:
    print(f"\n{args.users} students x {args.rounds} rounds, ~{args.think:g} s between actions, "
          f"{args.trainings} trainings ({trainings_running} still running at the end); server threads "
          f"{args.threads}; {machine()}")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")
    print(f"{'page':<17} {'interaction':<20} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KB':>6}  target")
    print("-" * 86)
    section = {s.title: s.section for s in STEPS}
    for (page, what), times in res.times.items():
        goal = TARGETS_MS["open"] if what in ("open", "first visit") else TARGETS_MS.get(section.get(page), None)
        verdict = "" if goal is None else (f"{'met' if percentile(times, 95) <= goal else 'MISSED'} (p95 <= {goal})")
        print(f"{page:<17} {what:<20} {len(times):>4} {median(times):>8.0f} {percentile(times, 95):>8.0f} "
              f"{max(times):>8.0f} {median(res.kb[(page, what)]):>6.0f}  {verdict}")
    print("-" * 86)
    print(f"errors: {len(res.errors)}")
    for e in res.errors[:20]:
        print("  " + e)
    if rss:
        print(f"server RSS: {rss[0]:.0f} MB at start, peak {max(rss):.0f} MB, {rss[-1]:.0f} MB at the end "
              f"(target <= 1536 MB: {'met' if max(rss) <= 1536 else 'MISSED'})")
    print(f"server CPU during the walk: {cpu:.2f} cores of {os.cpu_count()}"
          f"{' (all app processes)' if args.processes > 1 else ''}; walk {walked:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--think", type=float, default=3.0, help="seconds between actions (mean)")
    parser.add_argument("--stagger", type=float, default=0.3, help="seconds between students' starts")
    parser.add_argument("--trainings", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="CNN_EXPLORER_THREADS of the server (default: all cores, the app's default)")
    parser.add_argument("--app", default=str(ROOT), help="checkout to serve (default: this one)")
    parser.add_argument("--processes", type=int, default=1,
                        help="app processes sharing the data folder (students spread over them in turn)")
    parser.add_argument("--dask-workers", type=int, default=0,
                        help="run the trainings on a local Dask cluster of this many workers (nice 10)")
    parser.add_argument("--quick", action="store_true", help="10 students, one round")
    parser.add_argument("--probe", action="store_true",
                        help="servers report malloc's and the shared store's counts (bench/memory_probe.py)")
    args = parser.parse_args()
    if args.quick:
        args.users, args.rounds = 10, 1
    asyncio.run(run(args))


if __name__ == "__main__":
    main()

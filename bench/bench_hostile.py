"""Issue #19 (items 4, 6, 7, 10): time and peak memory of each hostile input, before and after.

    python -m bench.bench_hostile [--before DIR] [--repeat 3]

Every scenario runs in a fresh Python process (so its peak RSS is its own) against this tree
and, with --before, against another checkout of the project (e.g. a worktree of a35128f). The
scenarios use only functions both versions have. Prints one table; never asserts.

  races       8 processes x 60 renames / exports / lists of one saved model (item 6)
  clicks      one session presses Train 4 times on a 64x64 dataset of 2,062 pictures while the
              server's two slots are busy: runs accepted, memory held by the queue (item 7)
  hours_net   the issue's 256-channel network, 40 epochs: queued or refused, how fast (item 7)
  upload      the issue's 7 MB model (256-channel convolutions at 64x64): imported or refused,
              then the Saliency page's six maps of one picture where it was accepted (item 4)
  occlusion   Occlusion with a 1-pixel window on the course CNN: 4,096 covered copies; measured
              on 256 of them (stride 4) and scaled by 16 where it runs, or refused (item 4)
  thousand    the Train page drawing a finished 1,000-class result (AppTest): seconds, bytes
              sent (item 10)
  nine_mb_name  a saved model whose name is 9 MB, and Saved models opened (AppTest): seconds,
              bytes sent (item 3)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
WIDE = [{"type": "conv", "channels": 256, "kernel": 3, "padding": 1}, {"type": "relu"},
        {"type": "conv", "channels": 256, "kernel": 3, "padding": 1}, {"type": "relu"},
        {"type": "maxpool", "size": 16}, {"type": "dense", "units": 64}]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- scenarios (run in a child process, against the code on sys.path[0]) --------------------
# The "before" tree (a35128f) has registry.rebuild and meta dicts; this one has from_spec and
# model cards, and a Split value: these helpers speak to either.

def _build(spec):
    try:
        from explorer.models import from_spec
        return from_spec.build(spec)
    except ImportError:
        from explorer.saved import registry
        return registry.rebuild(spec)


def _card(meta):
    try:
        from explorer.saved.model_card import ModelCard
        return ModelCard.from_json(meta)
    except ImportError:
        return meta


def _split(ds):
    """(train, test, split) with the course's split."""
    from explorer.data import datasets
    try:
        from explorer.data.types import COURSE_SPLIT
        return (*datasets.split(ds, COURSE_SPLIT), COURSE_SPLIT)
    except ImportError:
        return (*datasets.split(ds, 0.2, 8), {"test_size": 0.2, "random_state": 8})


def _small_saved(root):
    import torch

    from explorer.models import builder
    from explorer.saved import registry

    layers = [{"type": "conv", "channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"}]
    spec = builder.spec(layers, [1, 8, 8], 10)
    meta = {"name": "m", "architecture": "custom", "spec": spec, "dataset": "digits", "classes": [str(i) for i in range(10)],
            "input_size": [1, 8, 8], "normalisation": {"mean": [0.3], "std": [0.4]}}
    torch.manual_seed(0)
    return registry.save(_build(spec), _card(meta), root)


def _race_worker(root, model_id, me, start, out):
    import traceback

    from explorer.saved import registry

    failures = 0
    start.wait()
    for n in range(60):
        try:
            op = "rrrrrrrel"[(me + n) % 9]
            if op == "r":
                registry.rename(model_id, f"name {me}-{n}", root)
            elif op == "e":
                registry.export_bytes(model_id, root)
            else:
                registry.list_models(root)
        except registry.RegistryError:
            pass
        except BaseException:
            traceback.format_exc()
            failures += 1
    out.put(failures)


def races(tmp: Path) -> dict:
    import json as _json
    import multiprocessing as mp

    from explorer.saved import registry

    saved = _small_saved(tmp)
    registry.list_models(tmp)  # a warm server process: its workers start from here
    ctx = mp.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_race_worker, args=(str(tmp), saved.id, k, start, out)) for k in range(8)]
    for p in procs:
        p.start()
    t = time.perf_counter()
    start.set()
    failures = sum(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join()
    seconds = time.perf_counter() - t
    listed = [m.id for m in registry.list_models(tmp)] == [saved.id]
    try:
        _json.loads((tmp / saved.id / "meta.json").read_text())
        whole = True
    except (OSError, ValueError):
        whole = False
    return {"seconds": seconds, "outcome": f"{failures} of 480 raised a file error; model listed: {listed}; "
                                          f"meta whole: {whole}"}


def _sized(n=2062, side=64):
    import numpy as np

    from explorer.data.types import Dataset

    rng = np.random.default_rng(0)
    return Dataset("sign-digits", rng.random((n, 1, side, side), dtype=np.float32), np.arange(n) % 10,
                   [str(d) for d in range(10)])


def clicks(tmp: Path) -> dict:
    import threading

    from explorer.server import jobs
    from explorer.train import recipes, runs, training

    ds = _sized()
    mgr, gate = jobs.JobManager(max_running=2), threading.Event()
    for k in range(2):  # two other students' runs hold both slots
        mgr.submit("train", lambda job: gate.wait(600), owner=f"other {k}")
    accepted, refused, held = 0, "", 0
    t = time.perf_counter()
    for _ in range(4):
        train, test, split = _split(ds)
        request = runs.TrainRequest(recipes.model_spec("fastnet", ds), training.TrainConfig(epochs=12), "sign-digits",
                                    train, test, split, "click", tmp)
        try:
            runs.submit(mgr, request, owner="one student")
            accepted += 1
            held += (train.images.nbytes + test.images.nbytes) / 2**20  # the queued run keeps its split
        except ValueError as exc:
            refused = str(exc)[:60]
        del train, test, request
    seconds = time.perf_counter() - t
    for j in mgr.jobs():
        j.stop()
    gate.set()
    return {"seconds": seconds, "outcome": f"{accepted} of 4 queued, queue holds {held:.0f} MB"
                                          + (f"; refused: {refused}…" if refused else "")}


def _rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def hours_net(tmp: Path) -> dict:
    from explorer.server import jobs
    from explorer.train import recipes, runs, training

    ds = _sized()
    train, test, split = _split(ds)
    mgr = jobs.JobManager(max_running=1)
    request = runs.TrainRequest(recipes.model_spec("custom", ds, layers=WIDE), training.TrainConfig(epochs=40),
                                "sign-digits", train, test, split, "hours", tmp)
    t = time.perf_counter()
    try:
        job = runs.submit(mgr, request, owner="a")
        outcome = "queued (would train for hours)"
        job.stop()
    except ValueError as exc:
        outcome = f"refused: {str(exc)[:90]}…"
    return {"seconds": time.perf_counter() - t, "outcome": outcome}


def upload(tmp: Path, model_file: str) -> dict:
    import numpy as np
    import torch

    from explorer.inspect import attribution, pixel_model
    from explorer.saved import registry

    data = Path(model_file).read_bytes()
    t = time.perf_counter()
    try:
        saved = registry.import_bytes(data, tmp)
    except registry.RegistryError as exc:
        return {"seconds": time.perf_counter() - t, "outcome": f"refused: {str(exc)[:80]}…"}
    imported = time.perf_counter() - t
    net, card = registry.load(saved.id, tmp)
    model = pixel_model.wrap(net, card if isinstance(card, dict) else card.normalisation)
    for p in model.parameters():
        p.requires_grad_(False)
    x = torch.from_numpy(np.random.default_rng(0).random((1, 1, 64, 64), dtype=np.float32))
    t = time.perf_counter()
    for method in ("saliency", "integrated_gradients", "smoothgrad", "guided_backprop", "grad_cam", "guided_grad_cam"):
        attribution.attribute(model, x, 0, method)  # the Saliency page's maps for one picture (no sanity check)
    return {"seconds": imported + time.perf_counter() - t,
            "outcome": f"accepted ({imported:.1f} s), the Saliency page's 6 maps {time.perf_counter() - t:.1f} s"}


def occlusion(tmp: Path) -> dict:
    import numpy as np
    import torch

    from explorer import models
    from explorer.inspect import attribution

    torch.manual_seed(0)
    net = models.build("course_cnn", in_channels=1, num_classes=10, input_size=(64, 64)).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    t = time.perf_counter()
    try:
        from explorer.models import cost  # the bounded version checks before it computes

        c = cost.cost(net, (1, 64, 64))
        cost.check_request(attribution.passes("occlusion", positions=64 * 64), c, "")
    except ImportError:
        pass
    except ValueError as exc:
        return {"seconds": time.perf_counter() - t, "outcome": f"refused: {str(exc)[:80]}…"}
    x = torch.from_numpy(np.random.default_rng(0).random((1, 1, 64, 64), dtype=np.float32))
    t = time.perf_counter()
    attribution.attribute(net, x, 0, "occlusion", window=4, stride=4)  # 256 positions: one forward pass each, as for a 1-pixel window
    part = time.perf_counter() - t
    return {"seconds": part * 16, "outcome": f"computed: 256 positions in {part:.1f} s; x16 for the 4,096 of a 1-pixel window"}


def thousand(tmp: Path) -> dict:
    import numpy as np
    from streamlit.testing.v1 import AppTest

    from explorer.data.types import Dataset
    from explorer.train import recipes, runs, training
    from explorer.ui import cached

    k = 1000
    rng = np.random.default_rng(0)
    proto = rng.random((k, 1, 8, 8), dtype=np.float32)
    images = np.clip(np.repeat(proto, 3, 0) + rng.normal(0, 0.05, (3 * k, 1, 8, 8)), 0, 1).astype(np.float32)
    ds = Dataset("thousand", images, np.repeat(np.arange(k), 3), [f"class {i:04d}" for i in range(k)])
    train, test, split = _split(ds)
    request = runs.TrainRequest(recipes.model_spec("fastnet", train, {"width": 8}),
                                training.TrainConfig(epochs=1, threads=1, device="cpu"), "thousand", train, test,
                                split, "thousand", tmp)
    manager = cached.job_manager()
    runs.submit(manager, request, owner="s")
    manager.wait_all(300)
    at = AppTest.from_file(str(Path(sys.path[0]) / "app.py"), default_timeout=600)  # sys.path[0]: --code
    at.session_state["session_id"] = "s"
    at.run()
    t = time.perf_counter()
    at.switch_page("pages/train.py").run()
    seconds = time.perf_counter() - t
    sent = _bytes(at._tree)
    return {"seconds": seconds, "outcome": f"{sent / 2**20:.2f} MB of page elements"}


def nine_mb_name(tmp: Path) -> dict:
    """A model on disk whose name is 9 MB (written before the card's checks), and the Saved models
    page opened by another student (item 3)."""
    import json as _json

    from streamlit.testing.v1 import AppTest

    saved = _small_saved(tmp / "models")
    meta = _json.loads((saved.path / "meta.json").read_text())
    meta["name"] = "x" * 9_000_000
    (saved.path / "meta.json").write_text(_json.dumps(meta))
    at = AppTest.from_file(str(Path(sys.path[0]) / "app.py"), default_timeout=600)
    at.run()
    t = time.perf_counter()
    at.switch_page("pages/models.py").run()
    seconds = time.perf_counter() - t
    crashed = " (the page shows an exception)" if at.exception else ""
    return {"seconds": seconds, "outcome": f"{_bytes(at._tree) / 2**20:.2f} MB of page elements{crashed}"}


def _bytes(node) -> int:
    total = node.proto.ByteSize() if hasattr(getattr(node, "proto", None), "ByteSize") else 0
    children = getattr(node, "children", None)
    return total + sum(_bytes(c) for c in (children.values() if isinstance(children, dict) else children or []))


SCENARIOS = ["races", "clicks", "hours_net", "upload", "occlusion", "thousand", "nine_mb_name"]


def child(name: str, arg: str | None) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CNN_EXPLORER_DATA"] = tmp
        fn = globals()[name]
        result = fn(Path(tmp), arg) if arg else fn(Path(tmp))
    result["peak_mb"] = peak_mb()
    print("RESULT " + json.dumps(result))


# ---- the table --------------------------------------------------------------------------------

def run_child(code: Path, name: str, arg: str | None, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--code", str(code)] + (["--arg", arg] if arg else [])
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CNN_EXPLORER_THREADS": "1", "PYTHONPATH": str(code)}
    try:
        out = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "outcome": f"still running after {timeout:.0f} s (stopped)", "peak_mb": float("nan")}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"seconds": float("nan"), "outcome": "crashed: " + (out.stderr.strip().splitlines() or ["?"])[-1][:100],
            "peak_mb": float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, help="another checkout to measure (e.g. a worktree of a35128f)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=SCENARIOS)
    ap.add_argument("--child")
    ap.add_argument("--arg")
    ap.add_argument("--code", type=Path)
    ap.add_argument("--timeout", type=float, default=400)
    args = ap.parse_args()
    if args.child:
        sys.path.insert(0, str(args.code))
        child(args.child, args.arg)
        return
    sys.path.insert(0, str(HERE))
    from tests.hostile_corpus import WIDE_AT_64, exported_custom

    model_file = Path(tempfile.mkdtemp()) / "wide.safetensors"
    model_file.write_bytes(exported_custom(WIDE_AT_64, [1, 64, 64]))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians of {args.repeat} runs "
          "(1 run for upload, occlusion, thousand and nine_mb_name); peak = the scenario process's max RSS (torch alone ~0.35 GB)\n")
    print("| scenario | code | seconds | peak MB | outcome |\n| --- | --- | --- | --- | --- |")
    codes = ([("before", args.before)] if args.before else []) + [("after", HERE)]
    for name in args.only:
        for label, code in codes:
            reps = 1 if name in ("upload", "occlusion", "thousand", "nine_mb_name") else args.repeat
            results = [run_child(code, name, str(model_file) if name == "upload" else None, args.timeout)
                       for _ in range(reps)]
            secs = statistics.median(r["seconds"] for r in results)
            peak = statistics.median(r["peak_mb"] for r in results)
            print(f"| {name} | {label} | {secs:.2f} | {peak:.0f} | {results[-1]['outcome']} |", flush=True)


if __name__ == "__main__":
    main()

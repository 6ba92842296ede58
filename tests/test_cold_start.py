"""A fresh server's first visitor: Home and four Learn pages do not wait for PyTorch.

Importing PyTorch, Captum and the model registry takes about 3 s on 2 cores. On a fresh server the
first visit of app.py imported them in the page's own run (the class warm-up's modules, the
live camera's), and the background threads (device probe, class warm-up) imported PyTorch beside
that run, so Home's title came 5-7 s after the link was opened instead of about 1.5 s
(bench/bench_home.py). Now the page's run imports none of it, and the background threads
start their imports once the first run is over (explorer/server/startup.py), except when a page
needs the device now (the Train page asks the probe and waits for it). Convolution and Pooling
compute in NumPy; PyTorch came with their "Show the code" panels' model views and with the flip
note's PyTorch column, which now import it when drawn (the 2-D note only when opened). The 1-D
page and Neurons, layers, ReLU, dropout draw their first screen in NumPy and import PyTorch
after it, for the flip note and the networks below: their runs import it, after their first screen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# In a fresh interpreter: app.py's first visit (Home) in AppTest, recording which thread runs each
# `import torch...` statement and when it first did (also one that finds torch already imported by
# another thread), when the page's first screen was drawn (first_screen.drawn), and when app.py
# released the background threads.
FIRST_VISIT = """
import builtins, json, os, threading, time
from streamlit.testing.v1 import AppTest
from explorer.server import startup
from explorer.ui import device_probe, first_screen

first_import = {}
plain_import = builtins.__import__

def recording_import(name, *args, **kwargs):
    if name == "torch" or name.startswith("torch."):
        first_import.setdefault(threading.current_thread().name, time.perf_counter())
    return plain_import(name, *args, **kwargs)

released = []
plain_release = startup.release

def recording_release():
    released.append(time.perf_counter())
    plain_release()

drawn = []
plain_drawn = first_screen.drawn

def recording_drawn():
    drawn.append(time.perf_counter())
    return plain_drawn()

builtins.__import__ = recording_import
startup.release = recording_release
first_screen.drawn = recording_drawn
at = AppTest.from_file("app.py", default_timeout=120)
if os.environ["FIRST_PAGE"]:  # the link opened names a page
    at.switch_page(os.environ["FIRST_PAGE"])
at.run()
assert not at.exception, at.exception
device_probe._thread.join(120)  # the probe, after the run
print(json.dumps({"imports": first_import, "released": released[0], "drawn": drawn[:1],
                  "titles": [t.value for t in at.title], "device": device_probe.line()}), flush=True)
# The class warm-up may still be computing with PyTorch in its daemon thread; the interpreter's
# teardown under it can abort the process (as bench_first_open found). A server never ends so.
os._exit(0)
"""

# In a fresh interpreter, no page run: a page that trains asks for the device and waits for it.
TRAIN_PAGE_ASKS = """
from explorer.server import startup
from explorer.ui import device_probe

startup.HOLD_SECONDS = 600  # longer than the page waits: only its own call may release the probe
print(device_probe.line(wait=120))
"""

BACKGROUND = {"device-probe", "class-warm-up"}  # explorer/ui/device_probe.py, explorer/ui/class_warm_up.py


def child(code: str, data: Path, page: str = "") -> str:
    env = {**os.environ, "CNN_EXPLORER_DATA": str(data), "CNN_EXPLORER_WARM_UP": "1", "FIRST_PAGE": page}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


# (the link's page, its title, whether its run imports PyTorch after its first screen is drawn)
FIRST_PAGES = [("", "CNN Explorer", False), ("pages/convolution.py", "Convolution", False),
               ("pages/pooling.py", "Pooling", False), ("pages/convolution_1d.py", "1-D", True),
               ("pages/building_blocks.py", "Neurons", True)]


@pytest.mark.parametrize("page,title,later", FIRST_PAGES)
def test_a_fresh_servers_first_page_draws_its_first_screen_without_pytorch(tmp_path, page, title, later):
    visit = json.loads(child(FIRST_VISIT, tmp_path, page))
    assert any(title in t for t in visit["titles"])  # the page was drawn
    page_run = {name: t for name, t in visit["imports"].items() if name not in BACKGROUND}
    if later:  # its flip note or its networks, below the first screen
        assert page_run and visit["drawn"], "expected PyTorch after the first screen"
        early = {name for name, t in page_run.items() if t < visit["drawn"][0]}
        assert not early, f"the page's run imported PyTorch before its first screen was drawn (threads {early})"
    else:
        assert not page_run, f"the page's run imported PyTorch itself (threads {sorted(page_run)})"
    assert visit["device"]  # the probe still ran, after the run (its import may find PyTorch imported already)
    early = {name: round(visit["released"] - t, 3) for name, t in visit["imports"].items()
             if name in BACKGROUND and t < visit["released"]}
    assert not early, f"background threads imported PyTorch during the first page's run (s before its end: {early})"


def test_a_page_that_trains_gets_the_device_without_waiting_for_a_first_run(tmp_path):
    line = child(TRAIN_PAGE_ASKS, tmp_path)
    assert line.startswith(("CPU", "GPU", "Apple")), line

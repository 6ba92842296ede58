"""Browser tests: `streamlit run` on 127.0.0.1 and Debian's Chromium driven by Playwright.

One server per test session; one fresh browser context (a new 'student') per test. A failing
test leaves a screenshot in tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import watch_runs
from tests.conftest import ROOT, real_archive

# A 2-core machine shared by server, browser and tests: give assertions time to settle.
expect.set_options(timeout=20_000)

CHROMIUM = os.environ.get("CNN_EXPLORER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # A fake camera, so st.camera_input can be tested without hardware.
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]
ARTIFACTS = ROOT / "tests" / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> float:
    """Seconds until /_stcore/health answers ok."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("streamlit did not become healthy")


def start_server(data_dir: Path, extra_env: dict | None = None, root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` of the checkout `root` on a free loopback port; returns
    (process, base URL)."""
    port = free_port()
    env = {**os.environ, "CNN_EXPLORER_DATA": str(data_dir), "CNN_EXPLORER_THREADS": "1",
           "OMP_NUM_THREADS": "1", **(extra_env or {})}
    archive = real_archive()
    if archive and "CNN_EXPLORER_SIGN_DIGITS" not in (extra_env or {}):
        env["CNN_EXPLORER_SIGN_DIGITS"] = str(archive)
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = open(data_dir / "streamlit.log", "wb")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
    except Exception:
        stop_server(proc)
        raise
    return proc, url


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Base URL of one Streamlit server shared by the browser tests."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `bash tests/ensure-chromium.sh` (as root)")
    proc, url = start_server(tmp_path_factory.mktemp("server-data"))
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser(playwright_driver):
    b = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; a screenshot is saved if the test fails."""
    yield from _student(browser, request, {"width": 1400, "height": 1000})


@pytest.fixture
def projector(browser, request):
    """The same at a projector's 1280x720, where presenter mode is checked."""
    yield from _student(browser, request, {"width": 1280, "height": 720})


def _student(browser, request, viewport: dict):
    """A new context (a new student) and its page at `viewport`; its screenshot if the test failed."""
    context = browser.new_context(viewport=viewport, permissions=["camera"])
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    watch_runs(pg)
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep

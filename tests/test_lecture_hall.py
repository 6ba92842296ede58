"""The lecture hall, whole and real: deploy/lecture_hall.sh starts two app processes sharing one
data folder behind HAProxy (sticky cookie, websockets, health checks) and a Dask scheduler with
two workers. Two students in Chromium, each pinned by HAProxy's cookie to one process: one trains
through the first process (the run goes to the cluster), the other opens the model through the
second; then the second process is killed mid-session and that student's page comes back
through the first."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from explorer.server import memory
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, free_port
from tests.browser.helpers import assert_no_errors, digits_for_epochs, open_page, wait_idle
from tests.conftest import ROOT

SCRIPT = ROOT / "deploy" / "lecture_hall.sh"
COOKIE = "CNN_EXPLORER_PROCESS"  # deploy/haproxy.cfg: names the process a browser sticks to

pytestmark = [pytest.mark.skipif(
    shutil.which("haproxy") is None,
    reason="haproxy is not installed and could not be (run `bash tests/ensure-haproxy.sh` as root)"),
    pytest.mark.browser]  # both tests with the browser tests: the hall starts once, for both


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """(address of HAProxy, the hall's settings); everything stopped afterwards."""
    base = tmp_path_factory.mktemp("hall")
    env = {**os.environ, "LH_RUN": str(base / "run"), "CNN_EXPLORER_DATA": str(base / "data"),
           "LH_PORT": str(free_port()), "LH_APP1_PORT": str(free_port()), "LH_APP2_PORT": str(free_port()),
           "LH_DASK_PORT": str(free_port()), "CNN_EXPLORER_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHON": os.environ.get("PYTHON", shutil.which("python") or "python3")}
    env.pop("CNN_EXPLORER_SIGN_DIGITS", None)  # the students train on the bundled digits
    try:
        subprocess.run(["bash", str(SCRIPT), "start"], env=env, check=True, timeout=180)
        yield f"http://127.0.0.1:{env['LH_PORT']}", env
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], check=False, env=env, timeout=60)
        for log in sorted((base / "run").glob("*.log")):  # kept beside a failure's screenshot
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, ARTIFACTS / f"lecture-hall-{log.name}")


@pytest.fixture(scope="module")
def browser(playwright_driver):
    b = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


def student(browser, url: str, process: str):
    """A browser whose HAProxy cookie pins it to one app process (as if it had been sent there)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": COOKIE, "value": process, "url": url}])
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def process_of(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)


def train_two_epochs_of_the_digits(page) -> None:
    digits_for_epochs(page, 2)
    page.get_by_test_id("stBaseButton-primary").filter(has_text="Train").click()


def test_app_processes_start_with_malloc_arenas_capped(hall):
    """deploy/lecture_hall.sh gives its app processes explorer/server/memory.py's setting (two malloc
    arenas, not glibc's 16 on 2 cores: bench/README.md, memory)."""
    _, env = hall
    for name in ("app1", "app2"):
        pid = (Path(env["LH_RUN"]) / f"{name}.pid").read_text().strip()
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert f"MALLOC_ARENA_MAX={memory.ARENAS}".encode() in environ, name


@pytest.mark.timeout(600)  # six processes and a browser start on 2 cores: minutes on a busy machine
def test_train_through_one_process_inspect_through_the_other_and_survive_a_killed_process(hall, browser):
    url, env = hall
    run = Path(env["LH_RUN"])
    t0 = time.monotonic()

    def step(what: str) -> None:  # shown when the test fails: where the time went on a busy machine
        print(f"{time.monotonic() - t0:6.1f} s  {what}")
    ctx_a, alice = student(browser, url, "app1")
    ctx_b, bob = student(browser, url, "app2")
    try:
        open_page(bob, url, "filters")
        expect(bob.get_by_text("There is no trained model yet")).to_be_visible()
        step("Bob sees no model through app2")

        open_page(alice, url, "train")
        expect(alice.get_by_text("Training runs on the lecture hall's training cluster")).to_be_visible()
        train_two_epochs_of_the_digits(alice)
        step("Alice pressed Train on app1")
        # live progress from a Dask worker, not from the app process
        expect(alice.get_by_text(re.compile(r"on the cluster's worker worker-\d"))).to_be_visible(timeout=120_000)
        expect(alice.get_by_text(re.compile(r"Saved as"))).to_be_visible(timeout=120_000)
        name = alice.get_by_text(re.compile(r"Saved as")).inner_text().split("Saved as", 1)[1].split(".")[0].strip()
        assert process_of(alice) == "app1"
        step("Alice's model is saved")

        # the other process lists the model the first one trained (same shared folder, no stale cache)
        open_page(bob, url, "filters")
        assert process_of(bob) == "app2"
        picker = bob.get_by_role("combobox", name="Model")
        expect(picker).to_have_value(re.compile(re.escape(name)))
        expect(bob.locator('[data-testid="stImage"] img').first).to_be_visible()  # its filters, drawn
        assert_no_errors(bob)
        step("Bob opened it through app2")

        # the second process dies mid-session: Bob's page reconnects through HAProxy to the first
        os.kill(int((run / "app2.pid").read_text()), signal.SIGKILL)
        bob.wait_for_function("() => document.querySelector('[data-testid=\"stApp\"]')"
                              ".getAttribute('data-test-connection-state') !== 'CONNECTED'", timeout=30_000)
        wait_idle(bob, timeout=90_000)
        step("Bob's page reconnected")
        expect(picker).to_have_value(re.compile(re.escape(name)))  # the model survived; the page works again
        expect(bob.locator('[data-testid="stImage"] img').first).to_be_visible()
        assert_no_errors(bob)
        assert process_of(bob) == "app1"
        # and it still answers a click: another page through the surviving process
        open_page(bob, url, "models")
        expect(bob.get_by_text(name).first).to_be_attached()  # a cell of the models table
        assert_no_errors(bob)
        step("Bob opened another page")
    except BaseException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for who, pg in (("alice", alice), ("bob", bob)):
            pg.screenshot(path=str(ARTIFACTS / f"lecture-hall-{who}.png"), full_page=True)
        raise
    finally:
        ctx_a.close()
        ctx_b.close()

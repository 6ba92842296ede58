"""Many students, one server: browser sessions walk the Learn and Inspect pages while two
trainings run.

A private `streamlit run` (tests/browser/conftest.start_server) on a fresh data folder. First a
small model is trained with the CLI (`python -m explorer.train`) so the Inspect pages have one.
Then two sessions start real trainings on the Train page (the app's job manager; they stay
open, watching their live curves), and `--users` more sessions (contexts of one Chromium,
Playwright's async API) each walk, `--rounds` times, through the sidebar: Convolution (move the
stride), Pooling (change the kind), 1-D convolution (change the example), Architectures (pick
LeNet-5), Filters (another epoch), Occlusion (window size), Saliency (next test picture: twelve
Captum maps). Each interaction is timed from the click or key press until its result is drawn
(the changed picture / table / chart loaded and the script run finished); opening a page is
timed from the sidebar click until its content is drawn. The server's resident memory is
sampled from /proc every 0.5 s.

    python -m bench.bench_load [--users 10] [--rounds 1] [--threads N] [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file or with -m

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from playwright.async_api import Page, async_playwright  # noqa: E402

from bench.common import machine, median, percentile  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402
from tests.browser.helpers import ERROR_SELECTORS, IDLE_JS  # noqa: E402
from tests.conftest import ROOT, real_archive  # noqa: E402

STEP_TIMEOUT_MS = 180_000
T0 = time.perf_counter()
VERBOSE = False


def log(msg: str) -> None:
    if VERBOSE:
        print(f"[{time.perf_counter() - T0:6.1f} s] {msg}", file=sys.stderr, flush=True)


def image_probe(caption: str) -> str:
    """JS: caption + src of the st.image whose caption holds `caption`, once its picture has
    loaded (null before)."""
    return f"""() => {{
        const box = [...document.querySelectorAll('[data-testid="stImage"]')]
            .find(e => e.innerText.includes({json.dumps(caption)}));
        const img = box && box.querySelector('img');
        return (img && img.complete && img.naturalWidth > 0) ? box.innerText + '|' + img.src : null;
    }}"""


# The 1-D page: which sliders (each example has its own) and how many sound players are shown.
ONE_D_PROBE = """() => {
    const labels = [...document.querySelectorAll('[data-testid="stSlider"] input[type="range"]')]
        .map(s => s.getAttribute('aria-label')).join(',');
    return labels ? labels + '|audio:' + document.querySelectorAll('audio').length : null;
}"""
# Architectures: the per-layer table's cells.
TABLE_PROBE = """() => {
    const cells = [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')];
    return cells.length ? cells.slice(0, 40).map(c => c.innerText).join('|') : null;
}"""
# Saliency: the model's input picture and every map (25 pictures) loaded.
SALIENCY_PROBE = """() => {
    const imgs = [...document.querySelectorAll('[data-testid="stImage"] img')];
    if (imgs.length < 25 || !imgs.every(i => i.complete && i.naturalWidth > 0)) return null;
    return imgs.map(i => i.src).join('|');
}"""


@dataclass
class Step:
    page: str  # sidebar title
    action: str  # what the student does, for the table
    probe: str  # JS returning a string once the result is drawn


STEPS = [
    Step("Convolution", "move the stride", image_probe("Output ")),
    Step("Pooling", "change the kind", image_probe(" pooled ")),
    Step("1-D convolution", "change the example", ONE_D_PROBE),
    Step("Architectures", "pick LeNet-5", TABLE_PROBE),
    Step("Filters & feature maps", "another epoch", image_probe(" filters of ")),
    Step("Occlusion", "window size", image_probe("Drop in P(")),
    Step("Saliency", "next test picture", SALIENCY_PROBE),
]


@dataclass
class Results:
    times: dict = field(default_factory=lambda: defaultdict(list))  # (page, what) -> [ms]
    errors: list = field(default_factory=list)


async def wait_drawn(page: Page, probe: str, before: str | None = None) -> str:
    """Wait until `probe` returns a value different from `before` while Streamlit is idle."""
    js = f"""(prev) => {{
        const idle = ({IDLE_JS})();
        const v = ({probe})();
        return idle && v && v !== prev ? v : null;
    }}"""
    handle = await page.wait_for_function(js, arg=before, polling=100, timeout=STEP_TIMEOUT_MS)
    return await handle.json_value()


async def settle(page: Page) -> None:
    """Streamlit idle twice (a follow-up rerun a moment later is waited for too)."""
    await page.wait_for_function(IDLE_JS, polling=100, timeout=STEP_TIMEOUT_MS)
    await page.wait_for_timeout(200)
    await page.wait_for_function(IDLE_JS, polling=100, timeout=STEP_TIMEOUT_MS)


async def act(page: Page, step: Step, state: str) -> None:
    """The student's action on a page whose current result is `state`."""
    main = page.get_by_test_id("stMain")
    if step.page == "Convolution":
        await slider_key(page, "Stride")
    elif step.page == "Pooling":
        kind = "Average" if state.startswith("Max") else "Max"
        await main.get_by_test_id("stButtonGroup").filter(has_text="Average").get_by_text(kind, exact=True).click()
    elif step.page == "1-D convolution":
        example = "box * box" if "audio:2" in state else "echo"
        await main.get_by_test_id("stButtonGroup").first.get_by_text(example, exact=True).click()
    elif step.page == "Architectures":
        name = "VGG-16 (2014)" if "PartialConv2d" in state else "LeNet-5 (1998)"
        await main.get_by_test_id("stSelectbox").filter(has_text="Architecture").click()
        await page.get_by_role("option", name=name).click()
    elif step.page == "Filters & feature maps":
        await slider_key(page, "After epoch", down_first=True)
    elif step.page == "Occlusion":
        await slider_key(page, "Window")
    elif step.page == "Saliency":
        await slider_key(page, "Picture (")


async def slider_key(page: Page, label: str, down_first: bool = False) -> None:
    """One arrow-key step of a slider, away from the end it is at."""
    thumb = page.locator(f'[data-testid="stMain"] [data-testid="stSlider"] '
                         f'input[type="range"][aria-label^="{label}"]').first
    await thumb.focus()
    now, lo, hi = await thumb.evaluate("e => [e.value, e.min, e.max]")
    at_top, at_bottom = now == hi, now == lo
    down = (down_first and not at_bottom) or at_top
    await page.keyboard.press("ArrowLeft" if down else "ArrowRight")


async def open_via_sidebar(page: Page, title: str, probe: str) -> str:
    await page.locator('.st-key-app_menu, [data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    await page.wait_for_function(
        "(t) => { const h = document.querySelector('[data-testid=\"stMain\"] h1');"
        " return h && h.innerText.includes(t); }", arg=title.split(" &")[0].split(" ")[0], timeout=STEP_TIMEOUT_MS)
    return await wait_drawn(page, probe)


async def student(browser, url: str, user: int, rounds: int, res: Results, delay: float) -> None:
    await asyncio.sleep(delay)
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    t = time.perf_counter()
    await page.goto(url)
    await page.wait_for_selector('[data-testid="stMain"] h1', timeout=STEP_TIMEOUT_MS)
    await settle(page)
    res.times[("Home", "first visit")].append((time.perf_counter() - t) * 1000)
    for r in range(rounds):
        for step in STEPS:
            try:
                t = time.perf_counter()
                state = await open_via_sidebar(page, step.page, step.probe)
                res.times[(step.page, "open")].append((time.perf_counter() - t) * 1000)
                await settle(page)
                state = await page.evaluate(step.probe) or state
                t = time.perf_counter()
                await act(page, step, state)
                await wait_drawn(page, step.probe, state)
                res.times[(step.page, step.action)].append((time.perf_counter() - t) * 1000)
                log(f"user {user} {step.page}: {res.times[(step.page, step.action)][-1]:.0f} ms")
                await settle(page)
                if await page.locator(ERROR_SELECTORS).count():
                    text = await page.locator(ERROR_SELECTORS).first.inner_text()
                    res.errors.append(f"user {user} round {r} {step.page}: error shown: {text[:120]}")
            except Exception as exc:  # noqa: BLE001 (a failed step is counted, the walk goes on)
                log(f"user {user} {step.page}: {type(exc).__name__}: {str(exc)[:300]}")
                res.errors.append(f"user {user} round {r} {step.page}: {type(exc).__name__}: {str(exc)[:160]}")
                await page.goto(url)
                await page.wait_for_selector('[data-testid="stMain"] h1', timeout=STEP_TIMEOUT_MS)
    await ctx.close()


async def start_training(browser, url: str, n: int, finished: dict, t0: float) -> object:
    """A student on the Train page starts FastNet for 40 epochs and keeps watching it."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    await page.goto(f"{url}/train")
    await page.wait_for_selector('[data-testid="stMain"] h1', timeout=STEP_TIMEOUT_MS)
    await settle(page)
    epochs = page.get_by_role("slider", name="Epochs")
    await epochs.focus()
    await page.keyboard.press("End")
    await settle(page)
    await page.get_by_role("button", name="Train").click()
    await page.get_by_text("Run:", exact=False).first.wait_for(timeout=STEP_TIMEOUT_MS)
    log(f"training {n} started")

    async def watch():
        await page.get_by_text("Saved as", exact=False).first.wait_for(timeout=3_600_000)
        finished[n] = time.perf_counter() - t0

    return ctx, asyncio.create_task(watch())


class ServerSampler(threading.Thread):
    """Resident memory (VmRSS, MB) and CPU seconds used so far of one process, every 0.5 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [], threading.Event()  # (time, rss MB, cpu s)

    def sample(self) -> tuple[float, float, float]:
        with open(f"/proc/{self.pid}/status") as fh:
            rss = next(int(l.split()[1]) for l in fh if l.startswith("VmRSS")) / 1024
        with open(f"/proc/{self.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        return time.perf_counter(), rss, cpu

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.samples.append(self.sample())
            except (OSError, StopIteration, IndexError):
                return
            self.stop.wait(0.5)

    def cpu_between(self, start: float, end: float) -> float:
        """Fraction of one core the server used between two perf_counter times."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return float("nan")
        return (inside[-1][2] - inside[0][2]) / (inside[-1][0] - inside[0][0])


def train_cli_model(data: Path, dataset: str) -> float:
    t = time.perf_counter()
    env = {**os.environ, "CNN_EXPLORER_DATA": str(data)}
    archive = real_archive()
    if archive:
        env["CNN_EXPLORER_SIGN_DIGITS"] = str(archive)
    subprocess.run([sys.executable, "-m", "explorer.train", "--dataset", dataset, "--epochs", "3",
                    "--threads", "2", "--seed", "0", "--quiet", "--name", "bench net"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


async def run(args) -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-load-"))
    dataset = "sign-digits" if real_archive() else "digits"
    print(f"Model for the Inspect pages: FastNet, 3 epochs on {dataset} via the CLI "
          f"({train_cli_model(data, dataset):.0f} s)")
    env = {"CNN_EXPLORER_THREADS": str(args.threads), "OMP_NUM_THREADS": str(args.threads)}
    proc, url = start_server(data, env)
    mem = ServerSampler(proc.pid)
    mem.start()
    res, finished = Results(), {}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            t0 = time.perf_counter()
            trainers = [await start_training(browser, url, n, finished, t0) for n in range(2)]
            started = time.perf_counter() - t0
            walk_start = time.perf_counter()
            await asyncio.gather(*(student(browser, url, u, args.rounds, res, 0.5 * u)
                                   for u in range(args.users)))
            walked = time.perf_counter() - t0
            cpu = mem.cpu_between(walk_start, time.perf_counter())
            for ctx, task in trainers:
                task.cancel()
                await ctx.close()
            await browser.close()
    finally:
        mem.stop.set()
        stop_server(proc)
    report(args, res, [m for _, m, _ in mem.samples], started, walked, finished, cpu)


def report(args, res: Results, rss: list[float], started: float, walked: float, finished: dict,
           cpu: float) -> None:
    print(f"\n{args.users} students x {args.rounds} rounds, 2 trainings; server threads {args.threads}; "
          f"{machine()}")
    print(f"{'page':<24} {'interaction':<20} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print("-" * 77)
    every = []
    for (page, what), times in res.times.items():
        every += times
        print(f"{page:<24} {what:<20} {len(times):>4} {median(times):>8.0f} "
              f"{percentile(times, 95):>8.0f} {max(times):>8.0f}")
    print("-" * 77)
    print(f"{'all':<24} {'':<20} {len(every):>4} {median(every):>8.0f} "
          f"{percentile(every, 95):>8.0f} {max(every):>8.0f}")
    print(f"\nerrors: {len(res.errors)}")
    for e in res.errors[:20]:
        print("  " + e)
    ends = ", ".join(f"{finished[n]:.0f} s" if n in finished else "still running" for n in range(2))
    print(f"trainings started within {started:.0f} s; walk ended at {walked:.0f} s; trainings ended at: {ends}")
    if rss:
        print(f"server RSS: {rss[0]:.0f} MB at start, peak {max(rss):.0f} MB, {rss[-1]:.0f} MB at the end")
    print(f"server CPU during the walk: {cpu:.2f} cores of {os.cpu_count()} (the rest: Chromium, the "
          "bench, other work on the machine)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="log each step to stderr")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="CNN_EXPLORER_THREADS of the server (default: all cores, the app's default)")
    global VERBOSE
    args = parser.parse_args()
    VERBOSE = args.verbose
    asyncio.run(run(args))


if __name__ == "__main__":
    main()

"""The live camera end to end in real Chromium: frame drawn -> overlay displayed, in the
browser's own clock, with 1 and 3 students (pages) on one server.

    python -m bench.bench_live_browser                 # 1 and 3 streams, 15 s each, ~2.5 min
    python -m bench.bench_live_browser --quick         # 6 s each, ~1.5 min
    python -m bench.bench_live_browser --streams 1 --fps 30

`streamlit run app.py` serves a data folder with the default net (FastNet on Sign Language
Digits, one epoch: speed does not depend on what it learned). Each student is a Chromium page
(its own browser context, so its own session) on the Saliency page's live mode. The camera is
bench/live_browser.js: getUserMedia answers with a canvas stream that plays dataset test photos
with the frame number in black and white blocks, and the page's output <video> is read frame by
frame (requestVideoFrameCallback) to find which frame it shows and whether the server's overlay
is on it. Latency: from drawing frame k to the expected display time of its overlaid frame.
Frames/s: distinct overlaid frames displayed per second. Server CPU: the server process's CPU
seconds over wall seconds (/proc; 100% = one core). The browser's WebRTC statistics
(getStats) say where the time goes: its jitter buffer, decode and encode.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import tempfile
import time
from pathlib import Path

from PIL import Image

from bench.bench_live_camera import photos
from bench.common import median, percentile, table

PLAYER = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
SCRIPT = Path(__file__).with_name("live_browser.js")


def camera_script(width: int, height: int, fps: float, n: int = 8) -> str:
    frames, _ = photos(width, height, n)
    urls = []
    for f in frames:
        out = io.BytesIO()
        Image.fromarray(f).save(out, format="JPEG", quality=90)
        urls.append("data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode())
    return (SCRIPT.read_text().replace("__PHOTOS__", json.dumps(urls)).replace("__W__", str(width))
            .replace("__H__", str(height)).replace("__FPS__", str(fps)))


def saved_model(data: Path) -> None:
    """The default net, one epoch on the course split, saved where the server looks."""
    import torch

    from explorer.data import datasets
    from explorer.data.types import COURSE_SPLIT
    from explorer.train import recipes, runs, training

    train, test = datasets.split(datasets.load("sign-digits", download_missing=False))
    spec = recipes.model_spec("fastnet", train)
    config = training.TrainConfig(**{**recipes.default_schedule("fastnet"), "epochs": 1}, threads=2, seed=0,
                                  device="cpu")
    torch.manual_seed(0)
    runs.run(runs.TrainRequest(spec, config, "sign-digits", train, test, COURSE_SPLIT, "bench net", data / "models"))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def player(page):
    return page.locator(PLAYER).element_handle().content_frame()


def start_student(browser, url: str, script: str, tries: int = 2):
    """A new student on the Saliency page's live mode, once its first overlaid frame is shown
    (a connection that does not come up in 60 s is tried again on a fresh page)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.browser.helpers import open_page, wait_idle

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
    context.add_init_script(script)
    for attempt in range(tries):
        page = context.new_page()
        page.set_default_timeout(90_000)
        open_page(page, url, "saliency")
        page.get_by_test_id("stButtonGroup").first.get_by_text("Live").click()
        wait_idle(page)
        page.frame_locator(PLAYER).get_by_text("Start the live camera").click()
        try:
            player(page).wait_for_function("() => window.__live && window.__live.shown.some(f => f.overlay)",
                                           timeout=60_000)
            return page
        except PlaywrightTimeout:
            print(f"  no overlaid frame within 60 s (try {attempt + 1} of {tries})")
            page.close()
    raise RuntimeError("the live camera did not start")


def measure(pages, seconds: float, server_pid: int) -> dict:
    for p in pages:
        player(p).evaluate("() => { window.__live.shown = []; }")
    cpu0, t0 = cpu_seconds(server_pid), time.perf_counter()
    stats0 = [player(p).evaluate("() => window.__liveStats()") for p in pages]
    time.sleep(seconds)
    stats1 = [player(p).evaluate("() => window.__liveStats()") for p in pages]
    cpu = (cpu_seconds(server_pid) - cpu0) / (time.perf_counter() - t0)
    shown = [player(p).evaluate("() => window.__live.shown") for p in pages]
    server_ms = []
    for p in pages:
        m = re.search(r"(\d+) ms from frame to picture", p.get_by_test_id("stMain").inner_text())
        server_ms.append(int(m.group(1)) if m else float("nan"))
    rates, lat, raw, unread = [], [], 0, 0
    for frames in shown:
        first: dict[int, float] = {}
        for f in frames:
            if f["n"] < 0 or f.get("sent") is None:
                unread += 1
                continue
            if not f["overlay"]:
                raw += 1
                continue
            first.setdefault(f["n"], f["shown"] - f["sent"])
        lat += list(first.values())
        span = (frames[-1]["called"] - frames[0]["called"]) / 1000 if len(frames) > 1 else seconds
        rates.append(len(first) / max(span, 1e-9))
    return {"rates": rates, "lat": lat, "raw": raw, "unread": unread, "shown": sum(len(s) for s in shown),
            "cpu": cpu, "server_ms": server_ms, "webrtc": webrtc_delays(stats0, stats1)}


def webrtc_delays(before: list, after: list) -> dict:
    """Per frame over the measured window, ms (medians over the pages' connections): the
    browser's jitter buffer and decode (the video coming back), its encode (the camera going out),
    and the connection's round trip."""
    keys = {"jitter buffer": ("inbound", "jitterBufferDelay", "jitterBufferEmittedCount"),
            "decode": ("inbound", "totalDecodeTime", "framesDecoded"),
            "inbound processing": ("inbound", "totalProcessingDelay", "framesDecoded"),
            "encode": ("outbound", "totalEncodeTime", "framesEncoded")}
    out: dict[str, list[float]] = {k: [] for k in keys}
    out["round trip"], out["received frames/s"], out["sent frames/s"] = [], [], []
    for b_page, a_page in zip(before, after):
        for b, a in zip(b_page, a_page):
            for name, (side, total, count) in keys.items():
                try:
                    n = a[side][count] - b[side][count]
                    out[name].append(1000 * (a[side][total] - b[side][total]) / n if n > 0 else float("nan"))
                except KeyError:
                    pass
            if "pair" in a and a["pair"].get("currentRoundTripTime") is not None:
                out["round trip"].append(1000 * a["pair"]["currentRoundTripTime"])
            if "inbound" in a:
                out["received frames/s"].append(a["inbound"].get("framesPerSecond", float("nan")))
            if "outbound" in a:
                out["sent frames/s"].append(a["outbound"].get("framesPerSecond", float("nan")))
    return {k: median(v) if v else float("nan") for k, v in out.items()}


def one_row(pw, url: str, script: str, n: int, seconds: float, server_pid: int) -> tuple[list, list]:
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        pages = [start_student(browser, url, script) for _ in range(n)]
        time.sleep(2.0)  # every stream past its first seconds
        r = measure(pages, seconds, server_pid)
    finally:
        browser.close()
    lat = r["lat"]
    row = [n, f"{median(r['rates']):.1f}", f"{min(r['rates']):.1f}",
           f"{percentile(lat, 50):.0f}" if lat else "-", f"{percentile(lat, 95):.0f}" if lat else "-",
           f"{median(r['server_ms']):.0f}", f"{100 * r['raw'] / max(r['shown'], 1):.0f}%", f"{100 * r['cpu']:.0f}%"]
    w = r["webrtc"]
    return row, [f"{w[k]:.0f}" for k in ("jitter buffer", "decode", "inbound processing", "encode", "round trip",
                                         "sent frames/s", "received frames/s")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=15.0, help="measured seconds per row")
    ap.add_argument("--streams", type=int, nargs="+", default=[1, 3])
    ap.add_argument("--fps", type=float, default=15.0, help="frames per second each camera draws")
    ap.add_argument("--size", default="320x240", help="camera frame, WxH (the Saliency page asks for 320x240)")
    ap.add_argument("--threads", type=int, default=2, help="the server's torch threads")
    ap.add_argument("--patches", nargs="+", default=["own-result,complete-frame"],
                    help="explorer/ui/webrtc_fixes.py patches per row: 'none', 'own-result', 'complete-frame' or both "
                         "comma-separated (one server each)")
    ap.add_argument("--server-env", nargs="*", default=[], metavar="NAME=VALUE",
                    help="more environment for the server, e.g. OMP_WAIT_POLICY=PASSIVE")
    ap.add_argument("--quick", action="store_true", help="6 s per row")
    args = ap.parse_args()
    if args.quick:
        args.seconds = 6.0
    width, height = (int(v) for v in args.size.lower().split("x"))
    from playwright.sync_api import sync_playwright

    from explorer.ui.webrtc_fixes import CHOICE_ENV
    from tests.browser.conftest import start_server, stop_server

    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    rows, where = [], []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        script = camera_script(width, height, args.fps)  # finds the dataset archive first
        saved_model(data)
        with sync_playwright() as pw:
            for patches in args.patches:
                proc, url = start_server(data, {"CNN_EXPLORER_THREADS": str(args.threads),
                                                "OMP_NUM_THREADS": str(args.threads), CHOICE_ENV: patches,
                                                **dict(kv.split("=", 1) for kv in args.server_env)})
                try:
                    for n in args.streams:
                        row, w = one_row(pw, url, script, n, args.seconds, proc.pid)
                        rows.append([patches] + row)
                        where.append([patches, n] + w)
                finally:
                    stop_server(proc)
    table(f"Chromium -> server -> Chromium, {width}x{height} at {args.fps:g} frames/s, {args.seconds:g} s per row "
          "(targets: >= 10 frames/s, <= 150 ms)",
          ["patches", "students", "overlaid frames/s (median)", "lowest", "latency p50 ms", "p95 ms", "server's share ms",
           "frames without overlay", "server CPU"], rows)
    table("Where the time goes: the browser's WebRTC statistics (ms per frame, medians over the students)",
          ["patches", "students", "jitter buffer", "decode", "receive->render", "encode", "round trip", "sent fps",
           "received fps"], where)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()

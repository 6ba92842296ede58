"""The live camera's server side: processed frames per second, frame -> overlay latency and CPU,
with 1 and 3 cameras at once, and the app's per-frame work against the plain PyTorch/Captum call.

    python -m bench.bench_live_camera [--seconds 10] [--streams 1 3] [--size 320x240] [--threads 2]
    python -m bench.bench_live_camera --quick      # 4 s per row, about 20 s in all
    python -m bench.bench_live_camera --quick --webrtc   # + over real WebRTC, about 45 s

Each camera is a thread that makes av.VideoFrames at --fps (what aiortc's decoder hands
streamlit-webrtc), from Sign Language Digits test photos (the bundled digits when the archive
is not here: $CNN_EXPLORER_SIGN_DIGITS, then ../shared/data), filmed as tests/live_video.py
films them. As in streamlit-webrtc's asynchronous track, a second thread per camera takes the
newest frame (older ones are dropped) and calls the app's own callback,
explorer.inspect.live.FrameHandler, with the server's one FairWorker.
Latency: from the moment a frame is made to the moment its overlaid frame is back. CPU: the
process's CPU seconds over wall seconds (100% = one core busy), camera threads included.
WebRTC's own work (decoding and re-encoding VP8, SRTP) is not in these numbers; with --webrtc
a second table has it (bench/live_webrtc.py: aiortc cameras on loopback, no ICE server).
The default net (FastNet, 64x64 grey) with the weights a fresh one has: speed does not depend
on what it learned.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from captum.attr import LayerAttribution, LayerGradCam

from bench.bench_attribution import default_net
from bench.common import median, percentile, table, timed
from explorer.data import datasets
from explorer.inspect import attribution, live, pixel_model
from tests.live_video import camera_frame

CLASSES = [str(d) for d in range(10)]


SHARED_ARCHIVE = Path(__file__).resolve().parents[2] / "shared/data/sign-language-digits-master.zip"


def photos(width: int, height: int, n: int = 20) -> tuple[list[np.ndarray], str]:
    if "CNN_EXPLORER_SIGN_DIGITS" not in os.environ and SHARED_ARCHIVE.exists():
        os.environ["CNN_EXPLORER_SIGN_DIGITS"] = str(SHARED_ARCHIVE)
    try:
        ds = datasets.load("sign-digits", download_missing=False)
    except datasets.DatasetError:
        ds = datasets.load("digits")
    test = datasets.split(ds)[1]
    return [camera_frame(test.images[i], width, height) for i in range(n)], ds.name


class Camera:
    """One student's camera: frames made at `fps`, read by the app's callback, newest first."""

    def __init__(self, name: str, handler: live.FrameHandler, frames: list[np.ndarray], fps: float):
        import av

        self.av, self.handler, self.frames, self.fps = av, handler, frames, fps
        self.name = name
        self.cond = threading.Condition()
        self.newest: tuple[float, object] | None = None
        self.made = self.processed = 0
        self.latency: list[float] = []
        self.stop = threading.Event()

    def _make(self) -> None:
        start, k = time.perf_counter(), 0
        while not self.stop.is_set():
            frame = self.av.VideoFrame.from_ndarray(self.frames[k % len(self.frames)], format="rgb24")
            with self.cond:
                self.newest = (time.perf_counter(), frame)  # an unread older frame is dropped
                self.made += 1
                self.cond.notify()
            k += 1
            time.sleep(max(0.0, start + k / self.fps - time.perf_counter()))

    def _read(self) -> None:
        while not self.stop.is_set():
            with self.cond:
                while self.newest is None and not self.stop.is_set():
                    self.cond.wait(0.1)
                item, self.newest = self.newest, None
            if item is None:
                continue
            made, frame = item
            out = self.handler(frame)
            if out is not frame:  # the worker read it (a dropped frame comes back unchanged)
                self.latency.append(time.perf_counter() - made)
                self.processed += 1

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._make, daemon=True), threading.Thread(target=self._read, daemon=True)]
        for t in threads:
            t.start()
        return threads


def run_streams(model, frames, n: int, seconds: float, fps: float) -> list:
    worker = live.FairWorker()
    reader = live.LiveReader(model, (1, 64, 64))
    cams = [Camera(f"cam{i}", live.FrameHandler(reader, worker, f"cam{i}", live.Latest(), CLASSES), frames, fps)
            for i in range(n)]
    threads = [t for c in cams for t in c.start()]
    time.sleep(min(1.0, seconds / 4))  # warm up: first calls, thread start
    for c in cams:
        c.latency.clear()
        c.processed = c.made = 0
    cpu0, t0 = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    counts = [(c.processed, c.made, list(c.latency)) for c in cams]
    for c in cams:
        c.stop.set()
    for t in threads:
        t.join(5)
    rates = [p / wall for p, _, _ in counts]
    lat = [x for _, _, ls in counts for x in ls]
    made = sum(m for _, m, _ in counts)
    return [n, f"{median(rates):.1f}", f"{min(rates):.1f}", f"{percentile(lat, 50) * 1e3:.0f}",
            f"{percentile(lat, 95) * 1e3:.0f}", f"{100 * (1 - sum(p for p, _, _ in counts) / max(made, 1)):.0f}%",
            f"{100 * cpu / wall:.0f}%"]


def webrtc_rows(model, frames, streams: list[int], seconds: float, fps: float) -> list[list]:
    """The same over real WebRTC: aiortc cameras in a child process, streamlit-webrtc's track here."""
    from bench import live_webrtc

    rows = []
    for n, echo in [(n, echo) for n in streams for echo in (True, False)]:
        worker = live.FairWorker()
        reader = live.LiveReader(model, (1, 64, 64))
        handlers = [(lambda frame: frame) if echo else live.FrameHandler(reader, worker, f"cam{i}", live.Latest(), CLASSES)
                    for i in range(n)]  # echo: the video sent straight back, WebRTC's own share
        got, cpu, wall = live_webrtc.run(handlers, frames, fps, seconds + 3)  # ~1-2 s of it is connecting
        rates, lat = [], []
        for cam in got:
            times = sorted(cam.values())
            late = [(s, r) for s, r in times if r >= times[0][1] + 1.0] if times else []  # after the first second
            rates.append(len(late) / max(late[-1][1] - late[0][1], 1e-9) if len(late) > 1 else 0.0)
            lat += [r - s for s, r in late]
        rows.append([f"{n}, {'echo, no model' if echo else 'the app'}", f"{median(rates):.1f}", f"{min(rates):.1f}",
                     f"{percentile(lat, 50) * 1e3:.0f}" if lat else "-", f"{percentile(lat, 95) * 1e3:.0f}" if lat else "-",
                     f"{100 * cpu / wall:.0f}%"])
    return rows


def plain_call(model, x: torch.Tensor) -> None:
    """What a student would write for one picture: softmax, then Grad-CAM of the top class."""
    with torch.no_grad():
        target = int(F.softmax(model(x), 1).argmax())
    xg = x.detach().requires_grad_(True)
    cam = LayerGradCam(model, attribution.last_conv(model)).attribute(xg, target=target, relu_attributions=True)
    LayerAttribution.interpolate(cam, (64, 64), interpolate_mode="bilinear")


def per_frame_rows(model, frames, repeat: int) -> list[list]:
    import av
    from PIL import Image

    reader = live.LiveReader(model, (1, 64, 64))
    handler = live.FrameHandler(reader, live.FairWorker(), "one", live.Latest(), CLASSES)
    frame = av.VideoFrame.from_ndarray(frames[0], format="rgb24")
    x = pixel_model.batch(pixel_model.prepare_camera(Image.fromarray(frames[0]), (1, 64, 64)))
    ours, bare = [], []
    for _ in range(repeat):  # interleaved, so load from other processes hits both alike
        ours += timed(lambda: handler(frame), 1, 1)
        bare += timed(lambda: plain_call(model, x), 1, 1)
    read = timed(lambda: reader.read(frames[0]), repeat, 1)
    rows = [["whole frame: av frame in, overlaid av frame out", ours], ["  of which the reading (crop, model, Grad-CAM)", read],
            ["plain PyTorch + Captum: softmax + LayerGradCam", bare]]
    return [[what, f"{median(t) * 1e3:.1f}", f"{min(t) * 1e3:.1f}", f"{median(t) / median(bare):.2f}"]
            for what, t in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="measured seconds per row")
    ap.add_argument("--streams", type=int, nargs="+", default=[1, 3])
    ap.add_argument("--fps", type=float, default=15.0, help="frames per second each camera sends")
    ap.add_argument("--size", default="320x240", help="camera frame, WxH (the Saliency page asks for 320x240)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("CNN_EXPLORER_THREADS", "0")) or os.cpu_count())
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="4 s per row, 10 repeats")
    ap.add_argument("--webrtc", action="store_true", help="also over real WebRTC on loopback (VP8 both ways)")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.repeat = 4.0, 10
    torch.set_num_threads(args.threads)
    width, height = (int(v) for v in args.size.lower().split("x"))
    model = live.private_copy(default_net())
    frames, source = photos(width, height)
    print(f"{width}x{height} frames of {source} at {args.fps:g} frames/s per camera; torch threads: "
          f"{torch.get_num_threads()}; load average before: {os.getloadavg()[0]:.2f}")
    table("Per frame, one camera (ms)", ["call", "median", "best", "vs plain call"],
          per_frame_rows(model, frames, args.repeat))
    rows = [run_streams(model, frames, n, args.seconds, args.fps) for n in args.streams]
    table(f"Cameras at once, {args.seconds:g} s each (targets: >= 10 frames/s, <= 150 ms)",
          ["cameras", "frames/s per camera (median)", "lowest", "latency p50 ms", "p95 ms", "dropped", "CPU"], rows)
    if args.webrtc:
        table("Over WebRTC: aiortc cameras (child process) -> streamlit-webrtc track + the app (this process)",
              ["cameras", "overlaid frames/s per camera (median)", "lowest", "latency p50 ms", "p95 ms",
               "server CPU"], webrtc_rows(model, frames, args.streams, args.seconds, args.fps))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

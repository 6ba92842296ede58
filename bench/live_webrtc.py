"""The live camera over real WebRTC (aiortc on loopback, no ICE server: host candidates only),
for bench_live_camera --webrtc.

The server side is what the app runs: streamlit-webrtc's asynchronous track
(AsyncVideoProcessTrack, which keeps only the newest frame) around the app's FrameHandler and
one FairWorker, in this process. The cameras are aiortc peers in a child process (as browsers
would be elsewhere), so this process's CPU time is the server's alone: decoding the VP8 video,
reading the frames, drawing, encoding it again. Each camera frame carries its number in a
column of black and white blocks left of the square the model reads (the overlay leaves that
strip alone), so the camera knows which of its frames an overlaid frame shows: latency is from
sending frame k to receiving the overlay of frame k.
"""

from __future__ import annotations

import asyncio
import fractions
import multiprocessing as mp
import time

import numpy as np

BITS, BLOCK = 12, 8  # frame numbers up to 4095, in 8x8 blocks (they survive VP8)
CLOCK = 90000


def stamp(rgb: np.ndarray, k: int) -> np.ndarray:
    out = rgb.copy()
    for b in range(BITS):
        out[b * BLOCK:(b + 1) * BLOCK, :BLOCK] = 255 if (k >> b) & 1 else 0
    return out


def read_stamp(rgb: np.ndarray) -> int:
    return sum(1 << b for b in range(BITS) if rgb[b * BLOCK + 2:(b + 1) * BLOCK - 2, 2:BLOCK - 2].mean() > 128)


def _config():
    from aiortc import RTCConfiguration

    return RTCConfiguration(iceServers=[])  # no STUN: as the app runs


async def _camera(frames, fps: float, seconds: float, offer_out, answer_in, results) -> None:
    import av
    from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack

    sent: dict[int, float] = {}
    got: dict[int, float] = {}

    class Source(VideoStreamTrack):
        def __init__(self):
            super().__init__()
            self.k, self.start = 0, None

        async def recv(self):
            self.start = self.start or time.perf_counter()
            self.k += 1
            await asyncio.sleep(max(0.0, self.start + self.k / fps - time.perf_counter()))
            k = self.k % (1 << BITS)
            frame = av.VideoFrame.from_ndarray(stamp(frames[self.k % len(frames)], k), format="rgb24")
            frame.pts, frame.time_base = int(self.k * CLOCK / fps), fractions.Fraction(1, CLOCK)
            sent[k] = time.perf_counter()
            return frame

    pc = RTCPeerConnection(_config())
    pc.addTransceiver(Source(), direction="sendrecv")
    done = asyncio.Event()

    @pc.on("track")
    def on_track(track):
        async def pull():
            while not done.is_set():
                try:
                    frame = await track.recv()
                except Exception:  # noqa: BLE001 - the connection closed: the run is over
                    return
                k = read_stamp(frame.to_ndarray(format="rgb24"))
                if k in sent and k not in got:
                    got[k] = time.perf_counter()
        asyncio.ensure_future(pull())

    await pc.setLocalDescription(await pc.createOffer())
    offer_out.send((pc.localDescription.sdp, pc.localDescription.type))
    sdp, kind = answer_in.recv()
    await pc.setRemoteDescription(RTCSessionDescription(sdp, kind))
    await asyncio.sleep(seconds)
    done.set()
    await pc.close()
    results.send({k: (sent[k], got[k]) for k in got})


def _camera_process(frames, fps, seconds, offer_out, answer_in, results) -> None:
    asyncio.run(_camera(frames, fps, seconds, offer_out, answer_in, results))


async def _serve(handlers, pipes) -> list:
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from streamlit_webrtc.models import CallbackAttachableProcessor
    from streamlit_webrtc.process import AsyncVideoProcessTrack

    pcs = []
    for handler, (offer_in, answer_out) in zip(handlers, pipes):
        pc = RTCPeerConnection(_config())
        pcs.append(pc)

        @pc.on("track")
        def on_track(track, pc=pc, handler=handler):
            pc.addTrack(AsyncVideoProcessTrack(track, CallbackAttachableProcessor(handler, None, None)))

        sdp, kind = await asyncio.get_running_loop().run_in_executor(None, offer_in.recv)
        await pc.setRemoteDescription(RTCSessionDescription(sdp, kind))
        await pc.setLocalDescription(await pc.createAnswer())
        answer_out.send((pc.localDescription.sdp, pc.localDescription.type))
    return pcs


def run(handlers, frames, fps: float, seconds: float) -> tuple[list[dict], float, float]:
    """Per camera {frame number: (sent, overlay received)}, and this process's CPU and wall seconds."""
    ctx = mp.get_context("spawn")  # a clean child: no torch threads, no copied locks
    pipes, children, results = [], [], []
    for _ in handlers:
        offer_out, offer_in = ctx.Pipe()
        answer_out, answer_in = ctx.Pipe()
        result_out, result_in = ctx.Pipe()
        child = ctx.Process(target=_camera_process, args=(frames, fps, seconds, offer_out, answer_in, result_out),
                            daemon=True)
        child.start()
        children.append(child)
        pipes.append((offer_in, answer_out))
        results.append(result_in)
    loop = asyncio.new_event_loop()
    pcs = loop.run_until_complete(_serve(handlers, pipes))
    cpu0, t0 = time.process_time(), time.perf_counter()
    got = []
    for r in results:
        while not r.poll(0.05):
            loop.run_until_complete(asyncio.sleep(0.05))
        got.append(r.recv())
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    for pc in pcs:
        loop.run_until_complete(pc.close())
    loop.close()
    for child in children:
        child.join(10)
    return got, cpu, wall

"""Two frame periods less between a camera frame and its overlay (bench/bench_live_browser.py).

1. streamlit-webrtc's asynchronous track (`AsyncMediaProcessTrack.recv`) queues the new frame
   for the callback and at once returns the newest frame already processed: the previous one,
   so every overlay is a frame period late (67 ms at 15 frames/s). Here `recv` first waits a
   little for this frame's own result: at most `SHARE` of the time between two frames (so the
   sender still takes frames faster than they come and nothing piles up), then falls back to
   the newest one processed, as before (a busy server still drops rather than queues). Results
   of earlier frames still waiting are dropped first: they are older than this frame.
2. aiortc's receiver (`JitterBuffer._remove_frame`) hands a video frame to the decoder only when
   the first packet of the next frame arrives: another frame period. A VP8 frame is complete
   when its packets from the buffer's start are all there up to the one with the RTP marker bit
   (RFC 7741: set on a frame's last packet); such a frame is handed on at once.

Both are pinned versions' internals (requirements.txt: streamlit-webrtc 0.79, aiortc 1.16);
`install` checks they are as expected and leaves them alone otherwise.
"""

from __future__ import annotations

import asyncio
import os
import time

# Which patches to install (bench/bench_live_browser.py --patches compares them): "own-result",
# "complete-frame", both (the default, comma-separated) or "none".
CHOICE_ENV = "CNN_EXPLORER_WEBRTC_PATCHES"
PATCHES = ("own-result", "complete-frame")
SHARE = 0.6  # of the time between two frames, waited for a frame's own overlay
MAX_WAIT = 0.05  # seconds, whatever the frame rate
_installed = False


def install() -> bool:
    """Patch both (once); False when a library is not the version these patches know."""
    global _installed
    if _installed:
        return True
    from aiortc import jitterbuffer
    from streamlit_webrtc import process

    track = process.AsyncMediaProcessTrack
    buffer = jitterbuffer.JitterBuffer
    if not (hasattr(track, "recv") and hasattr(buffer, "_remove_frame") and hasattr(jitterbuffer, "JitterFrame")):
        return False
    chosen = os.environ.get(CHOICE_ENV, ",".join(PATCHES)).split(",")
    if "complete-frame" in chosen:
        buffer._remove_frame = _complete_frame_first(buffer._remove_frame, jitterbuffer.JitterFrame)
    if "own-result" in chosen:
        track.recv = _recv_own_result
    _installed = True
    return True


def _complete_frame_first(original, frame_class):
    def _remove_frame(self, sequence_number: int):
        if getattr(self, "_is_video", False):
            frame = _marked_frame(self, frame_class)
            if frame is not None:
                return frame
        return original(self, sequence_number)

    return _remove_frame


def _marked_frame(buf, frame_class):
    """The frame at the buffer's start when all its packets are in (the last one marked)."""
    packets, timestamp = [], None
    for count in range(buf.capacity):
        packet = buf._packets[(buf._origin + count) % buf._capacity]
        if packet is None or (timestamp is not None and packet.timestamp != timestamp):
            return None
        timestamp = packet.timestamp
        packets.append(packet)
        if packet.marker:
            buf.remove(count + 1)
            return frame_class(data=b"".join(p._data for p in packets), timestamp=timestamp)
    return None


async def _recv_own_result(self):
    """AsyncMediaProcessTrack.recv (streamlit-webrtc 0.79), waiting up to a share of a frame
    period for the result of the frame it has just queued."""
    from aiortc.mediastreams import MediaStreamError

    if self.readyState != "live":
        raise MediaStreamError
    with self._worker_exception_lock:
        if self._worker_exception:
            raise self._worker_exception
    self._start()
    frame = await self.track.recv()
    now = time.monotonic()
    last = getattr(self, "_arrived", None)
    self._arrived = now
    period = getattr(self, "_period", None)
    if last is not None:  # a running mean of the time between frames
        period = now - last if period is None else 0.8 * period + 0.2 * (now - last)
        self._period = period
    with self._out_lock:  # results of earlier frames: only the newest is worth keeping
        if self._out_deque:
            self._last_out_frame = self._out_deque[-1]
            self._out_deque.clear()
    self._in_queue.put(frame)
    deadline = now + (min(MAX_WAIT, SHARE * period) if period else 0.0)
    while not self._out_deque and time.monotonic() < deadline:
        await asyncio.sleep(0.003)
    new_frame = None
    with self._out_lock:
        if self._out_deque:
            new_frame = self._out_deque[-1]
            self._out_deque.clear()
    if new_frame is None:
        new_frame = self._last_out_frame
    if new_frame:
        self._last_out_frame = new_frame
        new_frame.pts = frame.pts
        new_frame.time_base = frame.time_base
        return new_frame
    return frame

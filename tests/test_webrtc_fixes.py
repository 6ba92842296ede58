"""The two latency patches of the live camera (explorer/ui/webrtc_fixes.py), on the real aiortc
jitter buffer and streamlit-webrtc track: a complete VP8 frame goes to the decoder when its last
(marked) packet arrives, not a frame period later; and the video sent back carries the overlay
of the frame just received, not the one before it."""

from __future__ import annotations

import asyncio
import fractions
import time

import numpy as np
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from explorer.ui import webrtc_fixes
from tests.event_loops import in_own_loop


def _packet(seq: int, timestamp: int, marker: bool, data: bytes) -> RtpPacket:
    p = RtpPacket(payload_type=96, marker=int(marker), sequence_number=seq, timestamp=timestamp, payload=data)
    p._data = data  # what aiortc's receiver sets: the depayloaded bytes
    return p


def test_a_complete_frame_goes_to_the_decoder_at_its_last_packet():
    assert webrtc_fixes.install()
    buf = JitterBuffer(capacity=128, is_video=True)
    assert buf.add(_packet(100, 3000, False, b"a"))[1] is None
    assert buf.add(_packet(102, 3000, True, b"c"))[1] is None  # the middle packet is still missing
    frame = buf.add(_packet(101, 3000, False, b"b"))[1]
    assert frame is not None and (frame.data, frame.timestamp) == (b"abc", 3000)  # no wait for frame 2
    assert buf.add(_packet(103, 9000, True, b"d"))[1].data == b"d"  # and the next one likewise


class _Camera:
    """An aiortc track making numbered frames at 15 frames/s (every pixel holds the number)."""

    kind = "video"

    def __init__(self):
        from aiortc import VideoStreamTrack

        outer = self
        self.number = 0

        class Track(VideoStreamTrack):
            async def recv(self):
                import av

                await asyncio.sleep(1 / 15)
                outer.number += 1
                frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), outer.number, np.uint8), format="rgb24")
                frame.pts, frame.time_base = outer.number * 6000, fractions.Fraction(1, 90000)
                return frame

        self.track = Track()


def _reader(frame):
    """The app's callback, in short: a few milliseconds of work, then a new frame."""
    import av

    time.sleep(0.005)
    return av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")


def test_the_video_sent_back_shows_the_frame_just_received():
    from streamlit_webrtc.models import CallbackAttachableProcessor
    from streamlit_webrtc.process import AsyncVideoProcessTrack

    assert webrtc_fixes.install()
    camera = _Camera()
    track = AsyncVideoProcessTrack(camera.track, CallbackAttachableProcessor(_reader, None, None))

    async def run() -> list[bool]:
        same = []
        for _ in range(30):
            out = await track.recv()
            same.append(int(out.to_ndarray(format="rgb24")[0, 0, 0]) == camera.number)
        return same

    try:
        same = in_own_loop(run())
    finally:
        track.stop()
    assert sum(same[5:]) >= 0.8 * len(same[5:]), same  # without the patch: always the frame before

"""The live camera, without the camera: one video frame -> the model's reading of it, drawn over
the frame; and the one worker that serves every student's stream in turn.

A frame goes through `pixel_model.prepare_camera`, the same path as a webcam still (its centred
square, then grey or RGB at the model's input size, as the test pictures are). The reading is
the class probabilities and a Grad-CAM (or gradient saliency) map of the predicted class, made
by `attribution.attribute`, the call the Saliency page makes.

`FairWorker` runs the readings of many streams on one thread: each stream keeps only its newest
frame (a frame still waiting when a newer one arrives is dropped, never queued), and waiting
streams are served in the order they started waiting, so a stream whose frames come fast
cannot starve the others.
"""

from __future__ import annotations

import io
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from torch import nn

from explorer.inspect import attribution, heatmaps, pixel_model
from explorer.percent import percent
from explorer.pictures import colormaps
from explorer.train import device

MAPS = {"grad_cam": "Grad-CAM", "saliency": "Gradient saliency"}
BOX = (255, 200, 0)  # the square the model reads, drawn on the video


@dataclass(frozen=True)
class Reading:
    """probabilities (K,); heat: (h, w) normalised map in [0, 1] at the model's input size;
    square: (left, top, side) of the frame the model read; seconds: time spent reading."""

    probabilities: np.ndarray
    heat: np.ndarray
    square: tuple[int, int, int]
    seconds: float

    @property
    def top(self) -> int:
        return int(np.argmax(self.probabilities))


class LiveReader:
    """(H, W, 3) uint8 RGB frames -> Readings with one model.

    `model` is a PixelModel used by this reader alone (Captum puts hooks on it during a call):
    give it a private copy, not the copy the pages share."""

    def __init__(self, model: nn.Module, input_size: tuple[int, int, int], method: str = "grad_cam"):
        if method not in MAPS:
            raise ValueError(f"method must be one of {', '.join(MAPS)}")
        self.model, self.input_size, self.method = model, input_size, method

    def read(self, rgb: np.ndarray) -> Reading:
        start = time.perf_counter()
        h, w = rgb.shape[:2]
        x = pixel_model.batch(pixel_model.prepare_camera(Image.fromarray(rgb), self.input_size))
        probs = pixel_model.probabilities(self.model, x.numpy())[0]
        target = int(np.argmax(probs))
        raw = attribution.attribute(self.model, x, target, self.method)
        heat = heatmaps.normalise(raw, "positive", 2.0)
        return Reading(probs, heat, pixel_model.camera_square(w, h), time.perf_counter() - start)


def draw(rgb: np.ndarray, reading: Reading, label: str, opacity: float = 0.6) -> np.ndarray:
    """(H, W, 3) uint8 frame with the map over the square the model read, that square's
    outline and `label` above it; a new array (the frame is left alone)."""
    left, top, side = reading.square
    frame = Image.fromarray(rgb)
    square = frame.crop((left, top, left + side, top + side))
    heat = Image.fromarray(colormaps.diverging(reading.heat, 1.0)).resize((side, side), Image.Resampling.BILINEAR)
    alpha = np.clip(reading.heat * (255 * float(np.clip(opacity, 0, 1))), 0, 255).astype(np.uint8)
    mask = Image.fromarray(alpha).resize((side, side), Image.Resampling.BILINEAR)
    frame.paste(Image.composite(heat, square, mask), (left, top))
    pen = ImageDraw.Draw(frame)
    pen.rectangle((left, top, left + side - 1, top + side - 1), outline=BOX, width=max(2, side // 120))
    size = max(12, side // 10)
    pen.text((left + size // 3, top + size // 4), label, fill=BOX, font=_font(size), stroke_width=max(1, size // 12),
             stroke_fill=(0, 0, 0))
    return np.asarray(frame)


_FONTS: dict[int, ImageFont.ImageFont] = {}


def _font(size: int) -> ImageFont.ImageFont:
    if size not in _FONTS:
        _FONTS[size] = ImageFont.load_default(size)
    return _FONTS[size]


def label(reading: Reading, classes: list[str]) -> str:
    """What the video shows above the square: the predicted sign and its probability."""
    return f"{classes[reading.top]}  {percent(reading.probabilities[reading.top])}"


def private_copy(model: nn.Module) -> nn.Module:
    """A copy of a loaded PixelModel for the live worker alone, so the pages' own Captum calls
    (which hold the shared model's lock for seconds) never stall the video."""
    import copy

    twin = copy.deepcopy(model).eval()
    for p in twin.parameters():
        p.requires_grad_(False)
    return twin


class FrameHandler:
    """What the video thread of one stream calls with each frame (the newest: streamlit-webrtc
    drops those that arrived while the previous one was being read): av.VideoFrame in, the
    same frame with the map drawn out, or the frame unchanged when the worker dropped it. The
    newest reading goes to `latest`, for the page."""

    def __init__(self, reader: LiveReader, worker: FairWorker, stream: Hashable, latest: Latest,
                 classes: list[str], opacity: float = 0.6, wait: float = 1.0):
        self.reader, self.worker, self.stream, self.latest = reader, worker, stream, latest
        self.classes, self.opacity, self.wait = classes, opacity, wait

    def _work(self, rgb: np.ndarray) -> tuple[Reading, np.ndarray]:
        reading = self.reader.read(rgb)
        return reading, draw(rgb, reading, label(reading, self.classes), self.opacity)

    def __call__(self, frame):
        import av  # PyAV, which streamlit-webrtc brings

        arrived = time.monotonic()
        rgb = frame.to_ndarray(format="rgb24")
        try:
            reading, drawn = self.worker.run(self.stream, lambda: self._work(rgb), self.wait)
        except Dropped:
            return frame
        except Exception as exc:  # noqa: BLE001 - shown beside the video, never a dead stream
            self.latest.error = f"The model could not read this frame: {exc}"
            return frame
        self.latest.error = None
        self.latest.put(reading, arrived, rgb)
        return av.VideoFrame.from_ndarray(drawn, format="rgb24")


R = TypeVar("R")


class Dropped(Exception):
    """This frame was not read: a newer one of the same stream replaced it, or it waited too long."""


@dataclass
class _Slot(Generic[R]):
    work: Callable[[], R]
    arrived: float
    done: threading.Event
    result: R | None = None
    error: BaseException | None = None
    dropped: bool = False


@dataclass
class StreamCount:
    """Per stream: frames read and dropped, and when it last sent one (time.monotonic)."""

    read: int = 0
    dropped: int = 0
    last_seen: float = 0.0


class FairWorker:
    """One thread running the work of many streams, latest frame first, streams in turn, on
    `threads` of torch's threads.

    Why one by default: a frame's reading is a few small operations, and with two OpenMP
    threads on a 2-core server the second spun for CPU that the codecs (and the students'
    browsers) needed: three cameras in Chromium got 9.4 frames/s, p50 304 ms with two threads,
    14.1 frames/s, 110 ms with one (bench/README.md). Training and page runs keep the server's
    count (explorer/train/device.py: own_threads)."""

    def __init__(self, name: str = "live-camera", threads: int = 1):
        self._threads = threads
        self._cond = threading.Condition()
        self._waiting: OrderedDict[Hashable, _Slot] = OrderedDict()
        self._counts: dict[Hashable, StreamCount] = {}
        self._name = name
        self._thread: threading.Thread | None = None

    def run(self, stream: Hashable, work: Callable[[], R], timeout: float = 1.0) -> R:
        """work()'s result, computed on the worker; raises Dropped when a newer frame of the
        same stream took this one's place or `timeout` seconds passed first."""
        slot: _Slot = _Slot(work, time.monotonic(), threading.Event())
        with self._cond:
            self._start()
            count = self._counts.setdefault(stream, StreamCount())
            count.last_seen = slot.arrived
            old = self._waiting.get(stream)
            if old is not None:  # latest frame wins; the stream keeps its place in the line
                self._drop(old, count)
            self._waiting[stream] = slot
            self._cond.notify()
        if not slot.done.wait(timeout):
            with self._cond:
                if self._waiting.get(stream) is slot:
                    del self._waiting[stream]
                    self._drop(slot, count)
        slot.done.wait()  # set by now unless the work itself is running: then its result is near
        if slot.dropped:
            raise Dropped
        if slot.error is not None:
            raise slot.error
        return slot.result

    def close(self, stream: Hashable) -> None:
        """The stream ended (its page was left or stopped): forget it and drop its waiting frame."""
        with self._cond:
            slot = self._waiting.pop(stream, None)
            count = self._counts.pop(stream, StreamCount())
            if slot is not None:
                self._drop(slot, count)

    def streams(self, within: float = 3.0) -> int:
        """Streams that sent a frame in the last `within` seconds (ended ones are closed)."""
        now = time.monotonic()
        with self._cond:
            return sum(now - c.last_seen <= within for c in self._counts.values())

    def waiting(self) -> list:
        """The streams with a frame waiting, in the order the worker will take them."""
        with self._cond:
            return list(self._waiting)

    def count(self, stream: Hashable) -> StreamCount:
        with self._cond:
            c = self._counts.get(stream, StreamCount())
            return StreamCount(c.read, c.dropped, c.last_seen)

    @staticmethod
    def _drop(slot: _Slot, count: StreamCount) -> None:
        slot.dropped = True
        count.dropped += 1
        slot.done.set()

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        device.own_threads(self._threads)  # this thread's only: page runs and training keep the server's
        while True:
            with self._cond:
                while not self._waiting:
                    self._cond.wait()
                stream, slot = self._waiting.popitem(last=False)  # the stream waiting longest
                count = self._counts.get(stream)
            try:
                slot.result = slot.work()
            except Exception as exc:  # noqa: BLE001 - handed to the stream's own thread, which shows it
                slot.error = exc
            if count is not None:
                with self._cond:
                    count.read += 1
            slot.done.set()


class Pace:
    """Frames read per second and frame -> overlay latency over the last `window` frames."""

    def __init__(self, window: int = 30):
        self._lock = threading.Lock()
        self._done: deque[float] = deque(maxlen=window)
        self._latency: deque[float] = deque(maxlen=window)

    def add(self, arrived: float, finished: float) -> None:
        with self._lock:
            self._done.append(finished)
            self._latency.append(finished - arrived)

    def fps(self) -> float:
        with self._lock:
            if len(self._done) < 2 or self._done[-1] <= self._done[0]:
                return 0.0
            return (len(self._done) - 1) / (self._done[-1] - self._done[0])

    def latency_ms(self) -> float:
        """Median seconds from a frame's arrival on the server to its overlay, in ms."""
        with self._lock:
            return float(np.median(self._latency)) * 1000 if self._latency else 0.0


class Latest:
    """The newest reading of one student's stream, handed from the video thread to the page,
    and the frame it was read from (the "Show the code" script reads that frame again)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._reading: Reading | None = None
        self._frame: np.ndarray | None = None
        self._at = 0.0
        self.error: str | None = None
        self.pace = Pace()

    def put(self, reading: Reading, arrived: float, frame: np.ndarray | None = None) -> None:
        now = time.monotonic()
        with self._lock:
            self._reading, self._frame, self._at = reading, frame, now
        self.pace.add(arrived, now)

    @property
    def has_frame(self) -> bool:
        with self._lock:
            return self._frame is not None

    def frame_png(self) -> bytes | None:
        """The last frame read, (H, W, 3) RGB as it arrived (before the map was drawn), as PNG."""
        with self._lock:
            frame = self._frame
        if frame is None:
            return None
        out = io.BytesIO()
        Image.fromarray(frame).save(out, format="PNG")
        return out.getvalue()

    def get(self, max_age: float = 3.0) -> Reading | None:
        """The reading, or None when there is none from the last `max_age` seconds."""
        with self._lock:
            fresh = self._reading is not None and time.monotonic() - self._at <= max_age
            return self._reading if fresh else None

"""The live camera's parts without a browser: the worker every stream shares (latest frame
wins, streams in turn), a frame read as the webcam still is, the map drawn on the video, and
the ICE configuration (no public STUN server unless one is set)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PIL import Image

from explorer import registry
from explorer.inspect import attribution, heatmaps, live, pixel_model
from tests.inspect_helpers import digits_split, save_digits_model
from tests.live_video import camera_frame


def _until(cond, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.002)


class Submitter(threading.Thread):
    """One stream's video thread sending one frame: records its result or that it was dropped."""

    def __init__(self, worker, stream, name, order, timeout=10.0):
        super().__init__(daemon=True)
        self.worker, self.stream, self.name, self.order, self.timeout = worker, stream, name, order, timeout
        self.outcome = None

    def run(self):
        try:
            self.outcome = self.worker.run(self.stream, lambda: self.order.append(self.name) or self.name,
                                           self.timeout)
        except live.Dropped:
            self.outcome = "dropped"


def _busy(worker: live.FairWorker) -> threading.Event:
    """Keep the worker busy until the returned event is set."""
    gate, started = threading.Event(), threading.Event()
    threading.Thread(target=worker.run, args=("busy", lambda: started.set() or gate.wait(10), 20), daemon=True).start()
    started.wait(5)
    return gate


def test_newest_frame_wins_and_streams_take_turns():
    """While the worker is busy, stream A sends three frames and B and C one each: A's two
    older frames are dropped (not queued), A keeps its place, and then B and C get their turn."""
    worker = live.FairWorker()
    gate = _busy(worker)
    order, threads = [], []
    for stream, name in [("A", "a1"), ("B", "b1"), ("A", "a2"), ("C", "c1"), ("A", "a3")]:
        t = Submitter(worker, stream, name, order)
        t.start()
        threads.append(t)
        _until(lambda: worker.count(stream).last_seen and stream in worker.waiting())
        if name == "a2":
            _until(lambda: threads[0].outcome == "dropped")
    assert worker.waiting() == ["A", "B", "C"]
    gate.set()
    for t in threads:
        t.join(10)
    assert order == ["a3", "b1", "c1"]
    assert [t.outcome for t in threads] == ["dropped", "b1", "dropped", "c1", "a3"]
    assert (worker.count("A").read, worker.count("A").dropped) == (1, 2)


def test_a_fast_stream_does_not_starve_the_others():
    """Stream A sends from four threads at once (a flood), B and C from one each: every stream
    gets about a third of the worker's readings, not A four sixths."""
    worker = live.FairWorker()
    stop = threading.Event()
    done = {"A": 0, "B": 0, "C": 0}

    def send(stream):
        while not stop.is_set():
            try:
                worker.run(stream, lambda: time.sleep(0.01), 5)
                done[stream] += 1
            except live.Dropped:
                pass

    threads = [threading.Thread(target=send, args=(s,), daemon=True) for s in ["A", "A", "A", "A", "B", "C"]]
    for t in threads:
        t.start()
    _until(lambda: sum(done.values()) >= 60, 60)
    stop.set()
    for t in threads:
        t.join(10)
    assert min(done["B"], done["C"]) >= 0.6 * done["A"], done
    assert worker.count("A").dropped > 0  # the flood's extra frames were dropped, not queued


def test_a_frame_waits_at_most_its_timeout_and_a_closed_stream_is_forgotten():
    worker = live.FairWorker()
    gate = _busy(worker)
    order = []
    late = Submitter(worker, "A", "a1", order, timeout=0.2)
    late.start()
    late.join(5)
    assert late.outcome == "dropped" and worker.waiting() == []
    waiting = Submitter(worker, "B", "b1", order)
    waiting.start()
    _until(lambda: worker.waiting() == ["B"])
    assert worker.streams() == 3  # busy, A and B sent frames just now
    worker.close("B")
    waiting.join(5)
    assert waiting.outcome == "dropped" and worker.waiting() == [] and worker.streams() == 2
    gate.set()
    assert order == []


def test_an_error_reaches_its_stream_and_the_worker_goes_on():
    worker = live.FairWorker()

    def broken():
        raise RuntimeError("no model")

    with pytest.raises(RuntimeError, match="no model"):
        worker.run("A", broken)
    assert worker.run("B", lambda: 42) == 42


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    saved = save_digits_model(epochs=2, root=tmp_path_factory.mktemp("models"))
    net, card = registry.load(saved.id, saved.path.parent)
    return live.private_copy(pixel_model.wrap(net, card.normalisation)), card


def test_a_frame_is_read_as_the_webcam_still_is(model):
    """The model reads the frame's centred square exactly as a webcam still's (whatever is on
    either side of it), and the map is Captum's Grad-CAM of the predicted class."""
    net, card = model
    picture = digits_split()[1].images[5]
    frame = camera_frame(picture)
    noisy = frame.copy()
    noisy[:, :40] = np.random.default_rng(0).integers(0, 255, noisy[:, :40].shape)  # outside the square
    reading = live.LiveReader(net, card.input_size).read(noisy)
    still = pixel_model.prepare_camera(Image.fromarray(frame), card.input_size)
    assert reading.square == (40, 0, 240)
    assert reading.probabilities == pytest.approx(pixel_model.probabilities(net, still[None])[0], abs=1e-6)
    cam = attribution.attribute(net, pixel_model.batch(still), reading.top, "grad_cam")
    assert reading.heat == pytest.approx(heatmaps.normalise(cam, "positive", 2.0), abs=1e-5)
    # the film of a test picture is read as the picture itself
    assert reading.top == int(pixel_model.probabilities(net, picture[None])[0].argmax())


def test_saliency_map_instead_of_grad_cam(model):
    net, card = model
    frame = camera_frame(digits_split()[1].images[7])
    grad = live.LiveReader(net, card.input_size, "saliency").read(frame)
    cam = live.LiveReader(net, card.input_size, "grad_cam").read(frame)
    assert grad.heat.shape == cam.heat.shape == card.input_size[1:]
    assert not np.allclose(grad.heat, cam.heat)
    with pytest.raises(ValueError, match="method must be one of"):
        live.LiveReader(net, card.input_size, "occlusion")


def test_the_map_is_drawn_inside_the_square_only(model):
    net, card = model
    frame = camera_frame(digits_split()[1].images[3])
    before = frame.copy()
    reading = live.LiveReader(net, card.input_size).read(frame)
    drawn = live.draw(frame, reading, live.label(reading, list(card.classes)), opacity=1.0)
    assert np.array_equal(frame, before)  # the frame itself is left alone
    assert drawn.shape == frame.shape
    left, top, side = reading.square
    assert np.array_equal(drawn[:, :left], frame[:, :left])
    assert np.array_equal(drawn[:, left + side:], frame[:, left + side:])
    inside = drawn[10:-10, left + 10:left + side - 10].astype(int) - frame[10:-10, left + 10:left + side - 10]
    assert np.abs(inside).max() > 50  # the map (and the label) changed the square
    assert tuple(drawn[top + side // 2, left]) == live.BOX  # its outline


def test_pace_counts_frames_per_second_and_latency():
    pace = live.Pace()
    for i in range(11):
        pace.add(i * 0.1 - 0.02, i * 0.1)
    assert pace.fps() == pytest.approx(10)
    assert pace.latency_ms() == pytest.approx(20)


def test_no_ice_server_unless_one_is_set(monkeypatch):
    """streamlit-webrtc falls back to Google's public STUN server when iceServers is missing;
    the app passes an explicit list, empty unless CNN_EXPLORER_ICE_SERVERS names servers."""
    from streamlit_webrtc.component import _resolve_server_rtc_configuration, enhance_frontend_rtc_configuration

    from explorer.ui import live_camera

    monkeypatch.delenv(live_camera.ICE_ENV, raising=False)
    config = live_camera.rtc_configuration()
    assert enhance_frontend_rtc_configuration(config)["iceServers"] == []
    assert _resolve_server_rtc_configuration(config).iceServers == []
    monkeypatch.setenv(live_camera.ICE_ENV, "stun:stun.school.lan:3478, turn:turn.school.lan")
    assert [s.urls for s in _resolve_server_rtc_configuration(live_camera.rtc_configuration()).iceServers] == [
        "stun:stun.school.lan:3478", "turn:turn.school.lan"]
    monkeypatch.setenv(live_camera.ICE_ENV, '[{"urls": "turn:t.lan", "username": "u", "credential": "p"}]')
    assert live_camera.rtc_configuration()["iceServers"][0]["username"] == "u"
    with pytest.raises(ValueError, match="urls"):
        live_camera.ice_servers('[{"url": "stun:x"}]')

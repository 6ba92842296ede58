"""The live camera's parts without a browser: the worker every stream shares (latest frame
wins, streams in turn), a frame read as the webcam still is, the map drawn on the video, and
the ICE configuration (no public STUN server unless one is set)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PIL import Image

from explorer.inspect import attribution, heatmaps, live, pixel_model
from explorer.saved import registry
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
        _until(lambda s=stream: s in worker.waiting())
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
    """Stream A sends from four threads at once (a flood), B and C from one each. Whatever the
    machine's load, a stream found waiting when a reading starts is served after at most the
    streams ahead of it (one reading each): A's flood neither jumps the line nor queues up."""
    worker = live.FairWorker()
    stop = threading.Event()
    served: list[tuple[str, list]] = []  # (stream read, streams waiting behind it at that moment)

    def send(stream):
        while not stop.is_set():
            try:
                worker.run(stream, lambda: served.append((stream, worker.waiting())) or time.sleep(0.005), 5)
            except live.Dropped:
                pass

    threads = [threading.Thread(target=send, args=(s,), daemon=True) for s in ["A", "A", "A", "A", "B", "C"]]
    for t in threads:
        t.start()
    _until(lambda: len(served) >= 90, 60)
    stop.set()
    for t in threads:
        t.join(10)
    streams = [s for s, _ in served]
    for k, (_, behind) in enumerate(served[:60]):
        for place, other in enumerate(behind):
            assert other in streams[k + 1:k + 2 + place], (k, behind, streams[k:k + 4])
    assert {"A", "B", "C"} <= set(streams)
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


def test_frames_are_read_on_one_torch_thread_and_the_rest_of_the_process_keeps_its_own():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)  # as the app's server runs training and pages on a 2-core machine
    try:
        worker = live.FairWorker("threads-test")
        assert worker.run("camera", torch.get_num_threads) == 1
        assert torch.get_num_threads() == 2  # a training started here still computes on two
    finally:
        torch.set_num_threads(before)


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


def test_the_video_callback_draws_on_the_frame_and_hands_the_reading_to_the_page(model):
    import av

    net, card = model
    rgb = camera_frame(digits_split()[1].images[3])
    latest = live.Latest()
    handler = live.FrameHandler(live.LiveReader(net, card.input_size), live.FairWorker(), "A", latest,
                                list(card.classes), opacity=1.0)
    out = handler(av.VideoFrame.from_ndarray(rgb, format="rgb24")).to_ndarray(format="rgb24")
    reading = latest.get()
    assert reading is not None and latest.error is None
    assert np.array_equal(out, live.draw(rgb, reading, live.label(reading, list(card.classes)), 1.0))

    class Broken:
        def read(self, rgb):
            raise RuntimeError("out of memory")

    broken = live.FrameHandler(Broken(), live.FairWorker(), "B", latest, list(card.classes))
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
    assert broken(frame) is frame
    assert "out of memory" in latest.error

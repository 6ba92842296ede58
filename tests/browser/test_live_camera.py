"""The live camera in Chromium: a fake camera plays a video made from Sign Language Digits
photos (a 3, then a 7, looping), the browser streams it to the server over WebRTC on loopback
with no ICE server (host candidates only), and the prediction on the page follows the video;
a second student's stream runs beside it, and leaving the page stops the first one. The live
view's "Show the code" script reads its last camera frame as the app does."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
import torch
from PIL import Image
from playwright.sync_api import expect

from explorer.codegen import live as live_code
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import live, pixel_model
from explorer.saved import registry
from explorer.train import recipes, runs, training
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server
from tests.browser.helpers import assert_no_errors, menu, open_page, wait_idle, watch_runs
from tests.codegen_helpers import run_script
from tests.live_video import camera_frame, read_y4m, write_y4m

FPS, SECONDS = 10, 3  # each sign is shown for 3 s
SIGNS = (3, 7)
PLAYER = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'


def _train(data) -> registry.SavedModel:
    """The default net, trained on the course split as the Train page does (a few seconds)."""
    train, test = datasets.split(datasets.load("sign-digits", download_missing=False))
    spec = recipes.model_spec("fastnet", train)
    config = training.TrainConfig(**recipes.default_schedule("fastnet"), threads=1, seed=0, device="cpu")
    torch.manual_seed(0)
    return runs.run(runs.TrainRequest(spec, config, "sign-digits", train, test, COURSE_SPLIT,
                                      "live test net", data / "models")).saved


def _video(saved: registry.SavedModel, path) -> None:
    """For each sign, the test photo the model reads right most surely once filmed (through the
    y4m round trip). Not a fixed bar: trained with label smoothing 0.2, the default net aims
    at 82% for the right class, and whether any photo of a sign passes 90% depended on the
    CPU's rounding (AMD's AVX-512 BF16 kernels gave no 3 above it, Intel's AMX ones did)."""
    net, card = registry.load(saved.id, saved.path.parent)
    reader = live.LiveReader(pixel_model.wrap(net, card.normalisation), card.input_size)
    test = datasets.split(datasets.load("sign-digits", download_missing=False))[1]
    frames = []
    for sign in SIGNS:
        best, best_p = None, 0.0
        for i in np.flatnonzero(test.labels == sign):
            frame = camera_frame(test.images[i])
            reading = reader.read(read_y4m(write_y4m(path, [frame], FPS))[0])
            if reading.top == sign and reading.probabilities[sign] > best_p:
                best, best_p = frame, float(reading.probabilities[sign])
        if best is None:
            pytest.fail(f"the model reads no test photo of a {sign} right")
        assert best_p > 0.5, f"the surest reading of a {sign} is only {best_p:.0%}"
        frames += [best] * (FPS * SECONDS)
    write_y4m(path, frames, FPS)


@pytest.fixture(scope="module")
def live_setup(sign_digits_archive, tmp_path_factory):
    data = tmp_path_factory.mktemp("live-data")
    video = data / "signs.y4m"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CNN_EXPLORER_SIGN_DIGITS", str(sign_digits_archive))
        saved = _train(data)
        _video(saved, video)
    proc, url = start_server(data)
    yield url, video, saved
    stop_server(proc)


@pytest.fixture
def camera_browser(live_setup, playwright_driver):
    _, video, _ = live_setup
    b = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS + [f"--use-file-for-fake-video-capture={video}"])
    yield b
    b.close()


def _student(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    watch_runs(page)
    return page


LIVE = re.compile(r"Live prediction: \d")


def _start(page) -> None:
    """Start the camera and wait for the first prediction. Once in a few full CI runs (ci3 of
    2026-12-02; alone, 3 of 3 passed) the loopback WebRTC connection of headless Chromium's fake
    camera never came up and the page kept asking to press Start: then Stop and Start again, as
    a student would, once."""
    player = page.frame_locator(PLAYER)
    player.get_by_text("Start the live camera").click()
    try:
        expect(page.get_by_text(LIVE)).to_be_visible(timeout=30_000)
        return
    except AssertionError:
        stop = player.get_by_text("Stop")
        if stop.count():
            stop.click()
        player.get_by_text("Start the live camera").click()
    expect(page.get_by_text(LIVE)).to_be_visible(timeout=60_000)


def _predictions(page, seconds: float, until: str = "$^") -> str:
    """The live predictions shown on the page, read every 0.2 s, repeats collapsed, joined by
    commas ("3,7,3"); reading stops after `seconds` or once they match the pattern `until`."""
    seen: list[str] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end and not re.search(until, ",".join(seen)):
        m = re.search(r"Live prediction: (\S+) \(", page.get_by_test_id("stMain").inner_text())
        if m and (not seen or seen[-1] != m.group(1)):
            seen.append(m.group(1))
        page.wait_for_timeout(200)
    return ",".join(seen)


def _download(page, name: str, folder):
    with page.expect_download() as got:
        page.get_by_role("button", name=name).click()
    path = folder / got.value.suggested_filename
    got.value.save_as(path)
    return path


def _script_reads_the_last_frame(page, saved, folder) -> None:
    """The live view's "Show the code": the last camera frame and the script download, and the
    script reads that frame as the app's LiveReader does (the sign of the video, its probabilities)."""
    page.get_by_text("Show the code").click()
    frame = _download(page, "Last camera frame (.png)", folder)
    script = _download(page, "Python script (.py)", folder)
    assert (frame.name, script.name) == (live_code.FRAME, "live_grad_cam.py")
    code = script.read_text().replace(f'"{live_code.FRAME}"', f'"{frame}"').replace(
        f'"{live_code.OVERLAY}"', f'"{folder / live_code.OVERLAY}"')
    out = run_script(code, folder)
    net, card = registry.load(saved.id, saved.path.parent)
    rgb = np.asarray(Image.open(frame).convert("RGB"))
    reading = live.LiveReader(pixel_model.wrap(net, card.normalisation), card.input_size).read(rgb)
    assert reading.top in SIGNS
    assert re.search(rf"^prediction: {card.classes[reading.top]} ", out, re.MULTILINE), out
    probs = [float(v) for v in re.search(r"probabilities: \[(.*)\]", out).group(1).split(",")]
    assert probs == pytest.approx(np.round(reading.probabilities, 4).tolist(), abs=2e-4)


def test_the_prediction_follows_the_video(live_setup, camera_browser, tmp_path):
    url, _, saved = live_setup
    first = _student(camera_browser)
    open_page(first, url)
    open_page(first, url, "saliency")
    first.get_by_test_id("stButtonGroup").first.get_by_text("Live").click()
    wait_idle(first)
    _start(first)
    # 3, 7, 3, ...: the sign on the page changes with the video, both ways
    seen = _predictions(first, 6 * SECONDS, until="3,7,3|7,3,7")
    assert re.search("3,7,3|7,3,7", seen), seen
    expect(first.get_by_text(re.compile(r"[1-9]\d* frames read per second"))).to_be_visible()
    _script_reads_the_last_frame(first, saved, tmp_path)

    # a second student, on Home's compact live camera, alongside the first
    second = _student(camera_browser)
    open_page(second, url)
    second.get_by_text("Live camera: sign at the camera").click()
    wait_idle(second)
    _start(second)
    expect(second.get_by_text("1 other camera live on this server", exact=False)).to_be_visible()
    seen = _predictions(second, 4 * SECONDS, until="3,7|7,3")
    assert re.search("3,7|7,3", seen), seen

    # the first student leaves the page: their stream stops, the second one goes on
    menu(first).get_by_text("Convolution", exact=True).click()
    wait_idle(first)
    expect(second.get_by_text("other camera live", exact=False)).to_have_count(0, timeout=30_000)
    seen = _predictions(second, 4 * SECONDS, until="3,7|7,3")
    assert re.search("3,7|7,3", seen), seen
    assert_no_errors(first)
    assert_no_errors(second)

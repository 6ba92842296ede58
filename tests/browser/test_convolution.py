"""The Convolution page in Chromium: settings, step mode, uploads and the webcam."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors, wait_camera_ready, wait_idle
from tests.browser.learn_helpers import (
    click_grid_cell,
    image_src,
    nudge,
    open_via_sidebar,
    wait_tex,
)


def open_convolution(page, server) -> None:
    open_via_sidebar(page, server, "Convolution", "3. Stride, padding, dilation → output size")
    page.get_by_text("Input 256x256").wait_for()


def test_stride_slider_updates_formula_and_output(server, page):
    open_convolution(page, server)
    wait_tex(page, "\\frac{256 - 3 + 2 \\cdot 0}{1}")
    before = image_src(page, "Output 254x254")
    nudge(page, "Stride", 2)
    expect(page.get_by_text("Output 85x85")).to_be_visible()
    wait_tex(page, "\\lfloor 84.33\\ldots \\rfloor + 1 = 84 + 1 = 85")
    expect(page.get_by_text("falls in no window and is dropped").first).to_be_visible()
    assert image_src(page, "Output 85x85") != before
    assert_no_errors(page)


def test_step_mode_steps_jumps_plays_and_exports(server, page):
    open_convolution(page, server)
    page.get_by_role("radio", name=re.compile("Step by step")).click()
    caption = page.get_by_text("Receptive field of output")
    expect(caption).to_contain_text("output (0, 0)")
    page.get_by_role("button", name="Step ▶").click()
    expect(caption).to_contain_text("output (0, 1)")
    page.get_by_role("button", name="Step ▶").click()
    expect(caption).to_contain_text("output (0, 2): input rows 0 to 2, columns 2 to 4")
    page.get_by_role("button", name="◀ Back").click()
    expect(caption).to_contain_text("output (0, 1)")
    # Click output cell (3, 4) of the 5x5 grid (34-pixel cells): the window jumps there.
    click_grid_cell(page.get_by_test_id("stVegaLiteChart").first, 3, 4, 34)
    expect(caption).to_contain_text("output (3, 4): input rows 3 to 5, columns 4 to 6")
    page.get_by_text("▶ Play").click()
    expect(caption).not_to_contain_text("output (3, 4)", timeout=15_000)  # the timer moved it on
    page.get_by_text("⏸ Pause").click()  # the switch says what it does next (issue #14)
    expect(page.get_by_text("▶ Play")).to_be_visible()
    wait_idle(page)
    paused = caption.inner_text()
    page.wait_for_timeout(1500)
    assert caption.inner_text() == paused  # paused: the step stays put
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the whole animation (GIF)").click()
    with open(info.value.path(), "rb") as f:
        gif = Image.open(io.BytesIO(f.read()))
        assert gif.format == "GIF" and gif.n_frames == 25
    assert_no_errors(page)


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_upload_a_photo_and_a_broken_file(server, page):
    open_convolution(page, server)
    page.get_by_text("Your photo").click()
    wait_idle(page)
    chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    chooser.set_input_files(files=[{"name": "photo.png", "mimeType": "image/png", "buffer": _png(800, 600)}])
    expect(page.get_by_text("Scaled down from 800x600 to 512x384")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Input 384x512")).to_be_visible()
    assert_no_errors(page)
    chooser.set_input_files(files=[{"name": "broken.png", "mimeType": "image/png", "buffer": b"not an image at all"}])
    expect(page.get_by_text("We cannot use your photo")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Showing the sample 'shapes' until your picture arrives.")).to_be_visible()


def test_webcam_picture_becomes_the_input(server, page):
    open_convolution(page, server)
    page.get_by_text("Webcam").first.click()
    wait_idle(page)
    expect(page.get_by_text("Showing the sample 'shapes' until your picture arrives.")).to_be_visible()
    wait_camera_ready(page)
    page.get_by_role("button", name="Take Photo").click(timeout=30_000)
    expect(page.get_by_text("Showing the sample 'shapes' until your picture arrives.")).to_have_count(0, timeout=30_000)
    expect(page.get_by_text("Input 256x256")).to_have_count(0)
    assert_no_errors(page)

"""Datasets in a real browser: the dataset view, a user's zip, the one-click download."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from playwright.sync_api import expect

from tests.archive_factory import class_zip, png_bytes, sign_digits_zip
from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import assert_no_errors, open_page, wait_idle
from tests.conftest import real_archive


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_datasets_page_shows_the_default_dataset(server, page):
    open_page(page, server, "datasets")
    expected = "2,062" if real_archive() else "1,797"
    expect(metric(page, "Images")).to_have_text(expected)
    expect(metric(page, "Train / test")).to_have_text("1,649 / 413" if real_archive() else "1,437 / 360")
    assert page.get_by_test_id("stImage").count() >= 1
    page.get_by_text("Handwritten digits (bundled, 8x8)").click()
    wait_idle(page)
    expect(metric(page, "Image size")).to_have_text("8x8x1")
    assert_no_errors(page)


def test_upload_own_zip_then_a_broken_one(server, page, tmp_path):
    good = class_zip({f"{c}/{k}.png": png_bytes(40 * i + k) for i, c in enumerate(["circle", "square", "star"])
                      for k in range(6)}, tmp_path / "shapes.zip")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this archive was cut off")
    open_page(page, server, "datasets")
    page.get_by_text("Your own zip of class folders").click()
    wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    wait_idle(page)
    expect(metric(page, "Images")).to_have_text("18")
    expect(metric(page, "Classes")).to_have_text("3")
    expect(page.get_by_text("circle, square, star")).to_be_visible()
    assert_no_errors(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(broken))
    wait_idle(page)
    expect(page.get_by_text("This zip cannot be used: This file is not a readable zip")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.fixture
def mirror(tmp_path):
    """A loopback web server holding a tiny Sign Language Digits archive."""
    www = tmp_path / "www"
    www.mkdir()
    sign_digits_zip(www / "master.zip", per_digit=2)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *a: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/master.zip"
    srv.shutdown()


def offline_server(tmp_path, url: str):
    data = tmp_path / "data"
    data.mkdir()
    return start_server(data, {"CNN_EXPLORER_SIGN_DIGITS": "", "CNN_EXPLORER_SIGN_DIGITS_URL": url})


def test_download_from_home(tmp_path, page, mirror):
    proc, url = offline_server(tmp_path, mirror)
    try:
        open_page(page, url)
        expect(page.get_by_text("not downloaded yet")).to_be_visible()
        page.get_by_role("button", name="Download Sign Language Digits").click()
        wait_idle(page)
        expect(page.get_by_text("not downloaded yet")).to_have_count(0)
        open_page(page, url, "datasets")
        expect(metric(page, "Images")).to_have_text("20")
        assert_no_errors(page)
    finally:
        stop_server(proc)


def test_failed_download_explains_and_app_keeps_working(tmp_path, page):
    proc, url = offline_server(tmp_path, "http://127.0.0.1:9/master.zip")
    try:
        open_page(page, url)
        page.get_by_role("button", name="Download Sign Language Digits").click()
        wait_idle(page)
        error = page.get_by_test_id("stAlertContentError")
        expect(error).to_contain_text("The download failed")
        expect(error).to_contain_text("CNN_EXPLORER_SIGN_DIGITS")
        open_page(page, url, "datasets")
        expect(metric(page, "Images")).to_have_text("1,797")  # the bundled digits meanwhile
        page.get_by_text("Sign Language Digits (photos of hands)").click()
        wait_idle(page)
        expect(page.get_by_test_id("stAlertContentWarning")).to_contain_text("not on this machine")
        expect(page.get_by_role("button", name="Download Sign Language Digits")).to_be_visible()
        expect(metric(page, "Images")).to_have_text("1,797")
        expect(page.get_by_test_id("stException")).to_have_count(0)
    finally:
        stop_server(proc)

"""A classroom in Chromium: two students never see each other's pictures, and the worst files
of the hostile corpus get a message while the page keeps working.

A private server whose data folder holds a small saved model (the Inspect pages need one)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests import hostile_corpus
from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import assert_no_errors, open_page, run_after, wait_camera_ready, wait_idle, watch_runs
from tests.inspect_helpers import save_digits_model

SECRET_SIZE = (123, 77)  # an unusual size: "Input 77x123" can only come from this upload
FALLBACK = "Showing the sample 'shapes' until your picture arrives."


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    data = tmp_path_factory.mktemp("classroom-data")
    save_digits_model(epochs=1, name="class net", root=data / "models")
    proc, url = start_server(data)
    yield url, data
    stop_server(proc)


@pytest.fixture
def student(browser):
    """A factory of students: each a fresh browser context (own cookies, own session)."""
    contexts = []

    def new():
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        watch_runs(page)
        return page

    yield new
    for ctx in contexts:
        ctx.close()


def secret_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", SECRET_SIZE, (250, 20, 160)).save(buf, format="PNG")
    return buf.getvalue()


def upload(page, name: str, data: bytes, mime: str = "image/png") -> None:
    """Upload a file and wait for the script run that reads it to finish (the browser first
    sends the file, then asks for the run: a DOM check right after can see the old page idle)."""
    run_after(page, lambda: page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]))
    wait_idle(page)


def upload_refused(page, name: str, case: str, message: str, mime: str = "image/png") -> None:
    """Upload hostile_corpus's `case` as `name`: the page says `message`, with no traceback."""
    upload(page, name, hostile_corpus.by_name(case).build(), mime)
    expect(page.get_by_text(message, exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def choose_source(page, label: str) -> None:
    run_after(page, lambda: page.get_by_test_id("stMain").get_by_text(label, exact=True).first.click())
    wait_idle(page)


def image_sources(page) -> set[str]:
    return set(page.eval_on_selector_all('[data-testid="stImage"] img', "els => els.map(e => e.src)"))


def input_src(page) -> str:
    """The Convolution page's input picture (its URL names its content)."""
    img = page.get_by_test_id("stImage").filter(has_text="Input ").first.locator("img")
    img.wait_for()
    return img.get_attribute("src")


def take_photo(page) -> None:
    wait_camera_ready(page)
    run_after(page, lambda: page.get_by_role("button", name="Take Photo").click())
    wait_idle(page)


def files_under(folder) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.name != "streamlit.log"}


# ---- sessions are isolated ------------------------------------------------------------------

def test_a_picture_and_a_photo_stay_with_the_student_who_brought_them(classroom, student):
    url, _ = classroom
    alice, bob = student(), student()
    open_page(alice, url, "convolution")
    choose_source(alice, "📁 Your photo")
    expect(alice.get_by_text("Up to 10 MB and 40 megapixels", exact=False)).to_be_visible()
    upload(alice, "alice-secret.png", secret_png())
    expect(alice.get_by_text(f"Input {SECRET_SIZE[1]}x{SECRET_SIZE[0]}")).to_be_visible()
    alice_upload = input_src(alice)

    open_page(bob, url, "convolution")
    choose_source(bob, "📁 Your photo")
    expect(bob.get_by_text(FALLBACK)).to_be_visible()
    expect(bob.get_by_text("alice-secret.png")).to_have_count(0)
    expect(bob.get_by_text(f"Input {SECRET_SIZE[1]}x{SECRET_SIZE[0]}")).to_have_count(0)
    assert alice_upload not in image_sources(bob)

    choose_source(alice, "📷 Webcam")
    take_photo(alice)
    expect(alice.get_by_text(FALLBACK)).to_have_count(0)
    alice_photo = input_src(alice)
    assert alice_photo != input_src(bob)
    choose_source(bob, "📷 Webcam")
    expect(bob.get_by_text(FALLBACK)).to_be_visible()
    expect(bob.get_by_role("button", name="Clear photo")).to_have_count(0)
    assert not image_sources(bob) & {alice_upload, alice_photo}
    assert_no_errors(alice)
    assert_no_errors(bob)


def test_an_inspect_upload_stays_with_its_student(classroom, student):
    url, _ = classroom
    alice, bob = student(), student()
    for page in (alice, bob):
        open_page(page, url)  # Home first: a fresh server may not have run st.navigation yet
        open_page(page, url, "saliency")
    alice.get_by_test_id("stButtonGroup").first.get_by_text("Your photo").click()
    wait_idle(alice)
    upload(alice, "alice-hand.png", secret_png())
    expect(alice.get_by_text("What the model sees: 8x8 grey")).to_be_visible(timeout=60_000)
    seen_by_alice = alice.get_by_test_id("stImage").first.locator("img").get_attribute("src")

    bob.get_by_test_id("stButtonGroup").first.get_by_text("Your photo").click()
    wait_idle(bob)
    expect(bob.get_by_text("Your photo will appear here", exact=False)).to_be_visible()
    expect(bob.get_by_text("alice-hand.png")).to_have_count(0)
    expect(bob.get_by_text("What the model sees", exact=False)).to_have_count(0)
    assert seen_by_alice not in image_sources(bob)
    bob.get_by_test_id("stButtonGroup").first.get_by_text("Webcam").click()
    wait_idle(bob)
    expect(bob.get_by_text("What the model sees", exact=False)).to_have_count(0)
    assert_no_errors(bob)


# ---- the worst files through the real pages -------------------------------------------------

def test_a_decompression_bomb_on_convolution_then_a_sample_works(classroom, student):
    url, data = classroom
    page = student()
    open_page(page, url, "convolution")
    before = files_under(data)
    choose_source(page, "📁 Your photo")
    upload_refused(page, "bomb.png", "decompression bomb (PNG declaring 100000 x 100000)",
                   "more than the 40 megapixels we accept")
    choose_source(page, "🖼️ Sample picture")
    page.get_by_test_id("stSelectbox").filter(has_text="Sample").click()
    page.get_by_role("option", name="A flower").click()
    wait_idle(page)
    expect(page.get_by_text("Output ", exact=False).first).to_be_visible()
    expect(page.get_by_text("Input 342x512")).to_be_visible()
    assert_no_errors(page)
    assert files_under(data) == before


def test_a_traversal_zip_on_datasets_then_the_digits_work(classroom, student):
    url, data = classroom
    page = student()
    open_page(page, url, "datasets")
    before = files_under(data)
    page.get_by_text("Your own zip of class folders").click()
    wait_idle(page)
    expect(page.get_by_text("at most 10,000 files", exact=False)).to_be_visible()
    upload_refused(page, "classes.zip", "path traversal (../)", "points outside its folder", "application/zip")
    page.get_by_text("Handwritten digits (bundled, 8x8)").click()
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").first).to_contain_text("1,797")
    assert_no_errors(page)
    assert files_under(data) == before


def test_a_pickle_on_saved_models_is_refused_and_the_list_still_works(classroom, student):
    url, data = classroom
    page = student()
    open_page(page, url, "models")
    before = files_under(data)
    page.get_by_text("Upload a model", exact=False).first.click()
    expect(page.get_by_text("never pickles", exact=False)).to_be_visible()
    upload_refused(page, "model.safetensors", "pickle inside (.pth, zip)", "This file was not accepted",
                   "application/octet-stream")
    expect(page.get_by_text("pickle", exact=False).first).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_contain_text("Test accuracy")
    page.get_by_label("New name").fill("renamed after the pickle")
    # The click's run renames and reruns; wait for those runs themselves (the DOM still says
    # "not running" until the server starts the run, which a busy machine can delay).
    run_after(page, lambda: page.get_by_role("button", name="✏️ Rename").click())
    wait_idle(page)
    # the table of models (its grid keeps an accessible copy of each cell in the DOM)
    cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]')
    expect(cells.filter(has_text="renamed after the pickle")).to_have_count(1)
    assert files_under(data) == before

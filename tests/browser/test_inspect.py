"""The Inspect pages in a real browser: a photo upload and the (fake) webcam on the Saliency page.

A private server whose data folder already holds a small saved model (the shared server has
none, and training one there would take the whole test's time)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from explorer.data import samples
from explorer.inspect import attribution
from tests.browser.helpers import (
    assert_no_errors,
    menu,
    open_page,
    wait_camera_ready,
    wait_idle,
)
from tests.inspect_helpers import model_server

TITLES = [attribution.METHODS[m].title for m in
          ["saliency", "integrated_gradients", "smoothgrad", "guided_backprop", "grad_cam", "guided_grad_cam"]]


@pytest.fixture(scope="module")
def inspect_server(tmp_path_factory):
    with model_server(tmp_path_factory.mktemp("inspect-data"), "browser test net", epochs=2) as url:
        yield url


def open_inspect(page, url: str, path: str) -> None:
    """Home first: on a just-started server a deep link can be served before app.py has run
    st.navigation (the plain pages/ list then shows, without the app's layout)."""
    open_page(page, url)
    open_page(page, url, path)
    expect(menu(page).get_by_text("Saliency", exact=True)).to_have_count(1)


def choose(page, source: str) -> None:
    """Click a picture source of the input picker (a segmented control)."""
    page.get_by_test_id("stButtonGroup").first.get_by_text(source).click()
    wait_idle(page)


def assert_all_maps(page) -> None:
    """Every method's title twice (trained and randomised model) and their pictures."""
    main = page.get_by_test_id("stMain")  # the sidebar lists a "Saliency" page too
    for title in TITLES:
        expect(main.get_by_text(title, exact=True)).to_have_count(2)
    expect(page.get_by_text("similarity to the trained map", exact=False)).to_have_count(6)
    # the input, then a heat map and an overlay per method, for both models
    expect(page.get_by_test_id("stImage")).to_have_count(1 + 2 * 2 * len(TITLES))
    assert_no_errors(page)


def test_upload_a_photo_and_see_every_saliency_map(inspect_server, page, tmp_path):
    photo = tmp_path / "flower.jpg"
    samples.load("flower").save(photo, quality=90)
    open_inspect(page, inspect_server, "saliency")
    choose(page, "Your photo")
    wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    wait_idle(page)
    expect(page.get_by_text("What the model sees: 8x8 grey")).to_be_visible()
    expect(page.get_by_text("Prediction:", exact=False)).to_be_visible()
    assert_all_maps(page)


def test_webcam_picture_with_the_fake_camera(inspect_server, page):
    open_inspect(page, inspect_server, "saliency")
    choose(page, "Webcam")
    wait_idle(page)
    shoot = page.get_by_role("button", name="Take Photo")
    expect(shoot).to_be_enabled(timeout=30_000)
    wait_camera_ready(page)
    shoot.click()
    wait_idle(page)
    expect(page.get_by_text("What the model sees: 8x8 grey")).to_be_visible(timeout=60_000)
    assert_all_maps(page)


def test_broken_upload_gets_a_message(inspect_server, page, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"this is not a picture at all")
    open_inspect(page, inspect_server, "occlusion")
    choose(page, "Your photo")
    wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    wait_idle(page)
    expect(page.get_by_text("This file is not an image we can read", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_saliency_maps_line_up_in_presenter_mode(inspect_server, browser):
    """Issue #14: in presenter mode a title wrapping onto two lines pushed its
    maps below their neighbours'. Every map of a row starts at the same height now."""
    # 1024 px wide: the projector of a smaller room; the titles wrap there.
    context = browser.new_context(viewport={"width": 1024, "height": 720})
    try:
        page = context.new_page()
        open_inspect(page, inspect_server, "saliency?present=1")
        expect(page.get_by_test_id("stImage")).to_have_count(1 + 2 * 2 * len(TITLES))
        boxes = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stImage"] img')]
                                       .map(i => { const r = i.getBoundingClientRect();
                                                   return [Math.round(r.left), Math.round(r.top)]; })""")
        maps = boxes[1:1 + 2 * len(TITLES)]  # the trained model's maps (the input comes first)
        first_in_column = {}
        for left, top in maps:
            first_in_column[left] = min(top, first_in_column.get(left, top))
        assert len(first_in_column) == len(TITLES), boxes
        assert max(first_in_column.values()) - min(first_in_column.values()) <= 2, first_in_column
    finally:
        context.close()


def test_every_class_is_readable_in_presenter_mode(inspect_server, projector):
    """At 20 px in presenter mode the ten class labels of the probability chart had 19 px each
    and ran into each other ("0" over "1"): each now has a bar taller than itself."""
    open_inspect(projector, inspect_server, "saliency?present=1")
    chart = projector.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("text").filter(has_text="probability")).to_have_count(1)
    labels = chart.evaluate("""c => [...c.querySelectorAll('.role-axis-label text')]
        .filter(t => /^[0-9]$/.test(t.textContent))
        .map(t => { const r = t.getBoundingClientRect(); return [t.textContent, r.top, r.bottom]; })""")
    assert [name for name, _, _ in labels] == [str(k) for k in range(10)]
    for (name, _, bottom), (nxt, top, _) in zip(labels, labels[1:]):
        assert top >= bottom - 1, (name, nxt, bottom, top)  # the next class's label starts below

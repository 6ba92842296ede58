"""The Fooling page in a real browser: upload a photo that is no digit, see the
out-of-distribution verdict, fool the model with a bigger ε, and the accuracy curve drawn."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from explorer.data import samples
from tests.browser.helpers import assert_no_errors, menu, open_page, wait_idle
from tests.inspect_helpers import model_server

SHOTS = os.environ.get("CNN_EXPLORER_SHOTS")  # a folder: also save screenshots for people to look at


@pytest.fixture(scope="module")
def trust_server(tmp_path_factory):
    with model_server(tmp_path_factory.mktemp("trust-data"), "browser trust net", epochs=2) as url:
        yield url


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_upload_a_temple_photo_and_fool_the_model(trust_server, page, tmp_path):
    photo = tmp_path / "temple.jpg"
    samples.load("china").save(photo, quality=90)
    open_page(page, trust_server)
    open_page(page, trust_server, "fooling")
    main = page.get_by_test_id("stMain")
    expect(menu(page).get_by_text("Fooling the CNN", exact=True)).to_have_count(1)
    # the first test picture: original, change and fooled picture, with the curve's table
    expect(main.get_by_text("Original:", exact=False)).to_be_visible(timeout=60_000)
    expect(main.get_by_text("Test accuracy under FGSM", exact=False).or_(
        main.locator('[data-testid="stVegaLiteChart"]')).first).to_be_visible(timeout=60_000)
    page.get_by_test_id("stButtonGroup").first.get_by_text("Your photo").click()
    wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    wait_idle(page)
    expect(main.get_by_text("What the model sees: 8x8 grey")).to_be_visible()
    # every prediction of an upload says whether the picture looks like the training pictures:
    # a temple does not (the feature distance to the training digits is far past the threshold)
    expect(main.get_by_text("This does not look like a handwritten digit", exact=False)).to_be_visible()
    # a larger ε from the keyboard: the slider's thumb, End = its largest value (0.3)
    thumb = page.get_by_test_id("stSlider").filter(has_text="ε (how far").get_by_role("slider")
    thumb.focus()
    thumb.press("End")
    wait_idle(page)
    expect(page.get_by_test_id("stSlider").filter(has_text="ε (how far")).to_contain_text("0.300")
    expect(main.get_by_text("Fooled:", exact=False).first).to_be_visible()
    expect(main.get_by_text("The change, amplified", exact=False)).to_be_visible()
    # input, three attack pictures, two saliency overlays
    expect(main.get_by_test_id("stImage")).to_have_count(6)
    expect(main.locator('[data-testid="stVegaLiteChart"]')).to_have_count(4)  # the input's, before, after, the curve
    assert_no_errors(page)
    shot(page, "fooling")


# Every axis label, axis title, legend and chart title of every chart on the page, with its size.
CHART_TEXT = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg text')]
  .filter(t => t.textContent.trim())
  .map(t => [parseFloat(getComputedStyle(t).fontSize), t.textContent.trim()])"""


def test_inspect_and_model_charts_are_readable_from_the_back_in_presenter_mode(trust_server, projector):
    """Issue #14: in presenter mode every chart text is >= 18 px on the Inspect and Saved models
    pages too, not only on the Learn pages (probability bars, reliability diagram, ε curves,
    deletion / insertion curves, training curves)."""
    open_page(projector, trust_server)
    for path in ("fooling", "confidence", "faithfulness", "models"):
        open_page(projector, trust_server, f"{path}?present=1")
        projector.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg text').first.wait_for(
            timeout=120_000)
        wait_idle(projector)
        texts = projector.evaluate(CHART_TEXT)
        assert len(texts) > 10, (path, texts)
        small = [t for t in texts if t[0] < 18]
        assert not small, (path, small[:8])
        assert_no_errors(projector)

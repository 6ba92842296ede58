"""Issue #14 in Chromium: what a student meets on a page, clicked as a student clicks."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_errors, digits_for_epochs, menu, open_page, wait_idle

EXAMPLES = ("box * box", "two Gaussians", "dropped ball", "echo")


def _sliders_on_1d(page):
    return page.locator('[data-testid="stSlider"] [role="slider"]')


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_1d_survives_any_order_of_examples_and_slider_extremes(server, page, seed):
    """Two Gaussians → shift far left → dropped ball crashed the page. Random walks over the
    examples and every slider's two ends must always leave a working page."""
    rng = random.Random(seed)
    open_page(page, server, "convolution_1d")
    steps = [("example", "two Gaussians"), ("slider", "Home"), ("example", "dropped ball")]
    for _ in range(12):
        steps.append(("example", rng.choice(EXAMPLES)) if rng.random() < 0.4 else
                     ("slider", rng.choice(["Home", "End"])))
    for kind, what in steps:
        if kind == "example":
            page.get_by_test_id("stButtonGroup").first.get_by_text(what, exact=True).click()
        else:
            thumbs = _sliders_on_1d(page)
            count = thumbs.count()
            if count == 0:
                continue
            thumb = thumbs.nth(rng.randrange(count))
            thumb.focus()
            page.keyboard.press(what)
        wait_idle(page)
        assert_no_errors(page)
        expect(page.get_by_test_id("stMain").locator("h1").filter(has_text="1-D convolution")).to_be_visible()
    # The last view still draws: a metric (sliding examples) or two players (echo).
    expect(page.get_by_test_id("stMetric").or_(page.locator("audio")).first).to_be_visible()
    # Shifts in the address are short decimals, never JavaScript's -0.47999999999999693.
    assert not re.search(r"\d\.\d{7,}", page.url), page.url


def test_1d_play_becomes_pause_and_the_slider_follows(server, page):
    open_page(page, server, "convolution_1d")
    page.get_by_role("button", name="▶ Play").click()
    expect(page.get_by_role("button", name="⏸ Pause")).to_be_visible()
    wait_idle(page, timeout=90_000)
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible()
    # The animation ended at the right end: the slider shows it (it stayed at 0 before).
    expect(page.get_by_test_id("stSlider").filter(has_text="Shift c")).to_contain_text("3.98")
    expect(page.get_by_test_id("stMetric").first).to_contain_text("0.0000")
    assert_no_errors(page)


H1_PX = """() => parseFloat(getComputedStyle(document.querySelector('[data-testid="stMain"] h1')).fontSize)"""


def test_a_lesson_keeps_presenter_mode_on(server, page):
    """Issue #14: Open on a lesson turned presenter mode off while the switch still showed on
    (st.switch_page dropped the switch's state on the server; the second lesson showed it)."""
    open_page(page, server)
    toggle = page.locator(".st-key-ui_present input")
    page.get_by_test_id("stSidebar").get_by_text("🎓 Presenter mode").click()
    wait_idle(page)
    expect(toggle).to_be_checked()
    big = page.evaluate(H1_PX)
    for lesson, heading in (("stride3", "Convolution"), ("pooling", "Pooling"), ("lenet", "Architectures")):
        if page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true":
            page.get_by_test_id("stExpandSidebarButton").click()  # presenter mode folds it away
        menu(page).get_by_text("Home", exact=True).click()
        wait_idle(page)
        page.locator(f".st-key-lesson_{lesson} button").click()
        page.locator('[data-testid="stMain"] h1').filter(has_text=heading).wait_for()
        wait_idle(page)
        expect(toggle).to_be_checked()
        assert page.evaluate(H1_PX) >= big * 0.95, f"{lesson}: the switch shows on, the page is not"
        assert "present=1" in page.url, lesson
    assert_no_errors(page)


def test_a_zip_from_datasets_is_picked_and_named_on_train(server, page, tmp_path):
    """Issue #14: the uploaded zip was invisible on Train after Datasets, and the model name
    kept 'fastnet on sign-digits' for a model trained on the zip."""
    from tests.archive_factory import class_zip, png_bytes

    shapes = class_zip({f"{c}/{k}.png": png_bytes(40 * i + k) for i, c in enumerate(["circle", "square", "star"])
                        for k in range(6)}, tmp_path / "shapes.zip")
    open_page(page, server, "datasets")
    page.get_by_text("Your own zip of class folders").click()
    wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzone"] input[type="file"]').set_input_files(str(shapes))
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("18")
    menu(page).get_by_text("Train a CNN", exact=True).click()
    page.locator('[data-testid="stMain"] h1').filter(has_text="Train").wait_for()
    wait_idle(page)
    expect(page.get_by_role("radio", name="Your own zip of class folders")).to_be_checked()
    expect(page.get_by_text("Using your zip shapes")).to_be_visible()
    expect(page.get_by_label("Name of the saved model", exact=True)).to_have_value(re.compile(r"on shapes$"))
    assert_no_errors(page)


def test_train_never_falls_back_silently(server, page):
    open_page(page, server, "train")
    page.get_by_text("Your own zip of class folders").click()
    wait_idle(page)
    expect(page.get_by_text("Nothing to train on yet")).to_be_visible()
    expect(page.get_by_role("button", name="🏋️ Train")).to_have_count(0)
    assert_no_errors(page)


def test_a_renamed_model_is_listed_by_its_new_name(server, page, tmp_path):
    """Issue #14: after a rename the pickers kept showing the model's old label."""
    from tests.browser.test_models import exported_model, upload

    open_page(page, server, "models")
    upload(page, "before.safetensors", exported_model(tmp_path, "before the rename"))
    expect(page.get_by_text("Imported before the rename")).to_be_visible(timeout=60_000)
    wait_idle(page)
    box = page.get_by_label("New name", exact=True)
    box.fill("after the rename")
    page.get_by_role("button", name="✏️ Rename").click()
    wait_idle(page)
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Model")
    expect(picker.locator("input")).to_have_value(re.compile("^after the rename"))
    menu(page).get_by_text("Saliency", exact=False).first.click()
    wait_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Model").first.click()
    options = page.get_by_role("option")
    expect(options.filter(has_text="after the rename")).to_have_count(1)
    expect(options.filter(has_text="before the rename")).to_have_count(0)



SMALL_TEXT = r"""() => { const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (!el.offsetParent || el.closest('.katex, [data-testid="stIconMaterial"]')) continue;  // KaTeX scripts, icon glyphs
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.replace(/[\s\u200b]/g, ''));
    if (!own) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.bottom < 0 || r.top > innerHeight) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 18) out.push(px + 'px ' + el.textContent.trim().slice(0, 40));
  }
  return out; }"""


def test_presenter_mode_at_1280x720_is_readable_from_the_back(server, projector):
    """Issue #14: at 1280x720 presenter mode kept the sidebar open and left control values,
    slider numbers and segmented controls small (or cut off)."""
    open_page(projector, server)
    for path in ("pooling", "convolution", "convolution_1d", "datasets", "train"):
        open_page(projector, server, f"{path}?present=1")
        projector.wait_for_timeout(500)
        expect(projector.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
        small = projector.evaluate(SMALL_TEXT)
        assert not small, (path, small[:8])
        title = projector.locator('[data-testid="stMain"] h1').first.bounding_box()
        assert title["y"] >= 0 and title["y"] + title["height"] < 200, (path, title)  # room below for content


def test_a_reload_keeps_a_finished_run(server, page):
    """Issue #14: reloading the Train page lost a finished run's curves and confusion matrix."""
    open_page(page, server, "train")
    digits_for_epochs(page, 1)
    page.get_by_role("button", name="🏋️ Train").click()
    expect(page.get_by_text("Test accuracy", exact=True)).to_be_visible(timeout=120_000)
    wait_idle(page)
    page.reload()
    page.locator('[data-testid="stMain"] h1').first.wait_for()
    wait_idle(page)
    expect(page.get_by_text("Test accuracy", exact=True)).to_be_visible()
    expect(page.get_by_text("Confusion matrix", exact=False).first).to_be_attached(timeout=60_000)
    assert_no_errors(page)

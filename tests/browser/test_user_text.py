"""Browser: text students bring (a model's name, its class names, its dataset) is shown as plain
text on other students' pages: a tracking-pixel image or a link in a model name never becomes an
<img> or <a> and the browser never asks the outside host for anything."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from explorer.models import builder, from_spec
from explorer.saved import registry
from explorer.saved.model_card import ModelCard
from tests.browser.helpers import assert_no_errors, open_page, wait_idle
from tests.browser.test_models import upload

PIXEL = "![](http://tracker.invalid/p.png)"
NAME = f"{PIXEL} [win](http://evil.invalid) **bold**"  # 69 characters: a name may have 80


def hostile_model(tmp_path) -> bytes:
    """A digits model (8x8, ten outputs) whose name and class names are Markdown traps."""
    spec = builder.spec([{"type": "conv", "channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"}],
                        [1, 8, 8], 10)
    meta = {"name": NAME, "architecture": "custom", "spec": spec, "dataset": "digits",
            "split": {"test_size": 0.2, "random_state": 8},
            "classes": ["www.evil.invalid"] + [f"![{d}](http://tracker.invalid/{d}.png)" for d in range(1, 10)],
            "input_size": [1, 8, 8], "normalisation": {"mean": [0.3], "std": [0.4]},
            "test_accuracy": 0.42, "epochs": 1, "train_seconds": 1.0}
    saved = registry.save(from_spec.build(spec), ModelCard.from_json(meta), tmp_path)
    return registry.export_bytes(saved.id, tmp_path)


def outside_requests(page) -> list[str]:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if ".invalid" in r.url else None)
    return asked


def main_text(page) -> str:
    """The page's text as people read it (the invisible word joiners that break addresses removed)."""
    return page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")


def assert_plain(page) -> None:
    """Counted once the page is drawn (expect(...).to_have_count(0) would pass at any empty moment)."""
    wait_idle(page, 60_000)
    assert page.locator('img[src*="tracker.invalid"]').count() == 0
    assert page.locator('a[href*="evil.invalid"]').count() == 0
    assert page.locator("[data-testid='stMain'] strong", has_text=re.compile(r"^bold$")).count() == 0


def test_a_model_name_and_class_names_stay_plain_text(server, page, tmp_path):
    asked = outside_requests(page)
    open_page(page, server, "models")
    upload(page, "prank.safetensors", hostile_model(tmp_path))
    expect(page.get_by_text("Imported ").first).to_be_visible(timeout=60_000)
    wait_idle(page, 60_000)
    assert_plain(page)
    assert PIXEL in main_text(page)  # shown, literally, as typed

    open_page(page, server, "models")  # another look, as every other student sees it
    assert_plain(page)
    assert "![3](http://tracker.invalid/3.png)" in main_text(page)  # a class name, literally

    open_page(page, server, "saliency")  # the newest model opens; class names in the prediction
    wait_idle(page, 120_000)
    assert_no_errors(page)
    expect(page.get_by_text("Prediction:").first).to_be_visible()
    assert_plain(page)
    assert asked == [], asked

"""Browser: upload a model file on Saved models, see it listed, download it back; a bad file is refused."""

from __future__ import annotations

from playwright.sync_api import expect

from explorer.models import builder, from_spec
from explorer.saved import registry
from explorer.saved.model_card import ModelCard
from tests.browser.helpers import open_page, wait_idle


def exported_model(tmp_path, name: str) -> bytes:
    spec = builder.spec([{"type": "conv", "channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"}],
                        [1, 8, 8], 10)
    meta = {"name": name, "architecture": "custom", "spec": spec, "dataset": "digits",
            "split": {"test_size": 0.2, "random_state": 8}, "classes": [str(i) for i in range(10)],
            "input_size": [1, 8, 8], "normalisation": {"mean": [0.3], "std": [0.4]},
            "history": [{"epoch": 1, "train_loss": 1.0, "train_accuracy": 0.5, "test_loss": 1.1,
                         "test_accuracy": 0.42, "lr": 0.01, "seconds": 1.0}],
            "test_accuracy": 0.42, "epochs": 1, "train_seconds": 1.0}
    saved = registry.save(from_spec.build(spec), ModelCard.from_json(meta), tmp_path)
    return registry.export_bytes(saved.id, tmp_path)


def upload(page, name: str, data: bytes) -> None:
    page.get_by_test_id("stExpander").locator("summary").filter(has_text="Upload a model").click()
    page.locator('[data-testid="stFileUploaderDropzone"] input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data})
    wait_idle(page)


def test_upload_download_and_a_refused_file(server, page, tmp_path):
    open_page(page, server, "models")
    upload(page, "lesson.safetensors", exported_model(tmp_path, "uploaded in the browser"))
    expect(page.get_by_text("Imported uploaded in the browser")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("42.0%", timeout=60_000)
    wait_idle(page, 60_000)
    with page.expect_download() as info:
        page.get_by_test_id("stDownloadButton").get_by_role("button").click()
    data = open(info.value.path(), "rb").read()
    again = registry.import_bytes(data, tmp_path / "again")  # the download is a valid model file
    assert again.card.name == "uploaded in the browser"

    open_page(page, server, "models")
    upload(page, "broken.safetensors", b"\x80\x04 this is a pickle, not a model" * 4)
    expect(page.get_by_text("This file was not accepted")).to_be_visible()
    expect(page.get_by_text("never opens them")).to_be_visible()

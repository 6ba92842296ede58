"""Issue #14, items 4 and 5: model names follow the data, and pages open a model they can show."""

from __future__ import annotations

import time

from explorer.models import builder, from_spec
from explorer.saved import registry
from explorer.saved.model_card import ModelCard
from explorer.train import recipes
from explorer.ui import model_choice


def save(root, name: str, dataset: str, accuracy: float = 0.5) -> registry.SavedModel:
    spec = builder.spec([{"type": "conv", "channels": 2, "kernel": 3, "padding": 1}, {"type": "relu"}],
                        [1, 8, 8], 10)
    meta = {"name": name, "architecture": "custom", "spec": spec, "dataset": dataset,
            "split": {"test_size": 0.2, "random_state": 8}, "classes": [str(i) for i in range(10)],
            "input_size": [1, 8, 8], "normalisation": {"mean": [0.3], "std": [0.4]},
            "history": [], "test_accuracy": accuracy, "epochs": 1, "train_seconds": 1.0}
    saved = registry.save(from_spec.build(spec), ModelCard.from_json(meta), root)
    time.sleep(0.01)  # distinct creation times: newest first
    return saved


def test_pages_open_the_newest_model_whose_test_pictures_are_here(tmp_path):
    save(tmp_path, "custom on digits", "digits")
    save(tmp_path, "custom on my-photos", "my-photos")  # newest: trained on an upload
    saved = registry.list_models(tmp_path)
    assert saved[0].card.dataset == "my-photos"
    index, note = model_choice.default_index(saved, None)
    assert saved[index].card.dataset == "digits"
    assert "not on this server" in note
    assert "no test pictures here" in model_choice.label(saved[0])
    assert "no test pictures" not in model_choice.label(saved[index])
    # What the student chose last still wins.
    assert model_choice.default_index(saved, saved[0].id) == (0, None)


def test_when_no_model_has_its_data_here_the_page_says_why(tmp_path):
    save(tmp_path, "custom on my-photos", "my-photos")
    index, note = model_choice.default_index(registry.list_models(tmp_path), None)
    assert index == 0 and "my-photos" in note and "upload a photo" in note


def test_default_names_follow_the_dataset_and_stay_distinct():
    assert recipes.default_name("fastnet", "my-photos") == "fastnet on my-photos"
    taken = ["fastnet on my-photos", "fastnet on my-photos (2)"]
    assert recipes.default_name("fastnet", "my-photos", taken) == "fastnet on my-photos (3)"
    assert recipes.default_name("fastnet", "sign-digits", taken) == "fastnet on sign-digits"


def test_the_picker_names_a_models_test_accuracy_as_the_saved_models_page_does(tmp_path):
    """411 of 413 right is 99.5%, not "100%" (the picker rounded to whole percents, the Saved
    models page and the Train page to one decimal)."""
    saved = save(tmp_path, "fastnet on sign-digits", "digits", accuracy=411 / 413)
    assert " · 99.5% on test" in model_choice.label(saved)
    assert "100%" not in model_choice.label(saved)

"""Issue #14, item 10 leftovers as a student reads them: the saved model's split in words (it
showed `{'test_size': 0.2, ...}`), and the webcam captioned as a camera, not with the photo
uploader's file limits."""

from __future__ import annotations

import os

import pytest

from tests.inspect_helpers import save_digits_model
from tests.page_helpers import open_page, texts


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One small model in a data folder of this module's own."""
    old = os.environ.get("CNN_EXPLORER_DATA")
    os.environ["CNN_EXPLORER_DATA"] = str(tmp_path_factory.mktemp("student-words-data"))
    try:
        yield save_digits_model(epochs=1)
    finally:
        if old is None:
            os.environ.pop("CNN_EXPLORER_DATA", None)
        else:
            os.environ["CNN_EXPLORER_DATA"] = old


def test_the_model_card_says_its_split_in_words(saved):
    at = open_page("pages/models.py")
    shown = texts(at, "caption")
    assert "split: 20% of the images kept for testing (random state 8)" in shown
    assert "test_size" not in shown and "{" not in shown and "None" not in shown


def test_the_webcam_is_captioned_as_a_camera():
    at = open_page("pages/convolution.py")
    at.radio(key="convolution_source").set_value("webcam").run()
    shown = texts(at, "caption")
    assert "Take Photo" in shown and "nothing is saved" in shown
    assert " MB " not in shown and "megapixels" not in shown  # the uploader's limits are the uploader's

"""AppTest: pages opened with settings in the address show those settings; the settings the
app writes by hand (model, presenter mode) follow the widgets; hostile values are ignored."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.inspect_helpers import save_digits_model
from tests.page_helpers import APP, ok, open_page


def test_presenter_mode_comes_from_the_address_and_stays_in_it():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["present"] = "1"
    at.run()
    ok(at)
    assert at.toggle(key="ui_present").value is True
    assert at.query_params["present"] == "1"


@pytest.mark.parametrize("raw", ["../../etc/passwd", "2", "<b>x</b>", ""])
def test_a_hostile_presenter_value_is_ignored(raw):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["present"] = raw
    at.run()
    ok(at)
    assert at.toggle(key="ui_present").value is False
    assert "present" not in at.query_params


def test_architectures_open_with_the_linked_settings():
    at = open_page("pages/architectures.py", {"architectures_name": "LeNet-5 (1998)", "architectures_side": "64"})
    assert at.selectbox(key="architectures_name").value == "lenet5"
    assert at.number_input(key="architectures_side").value == 64
    assert at.number_input(key="architectures_channels").value == 1  # LeNet's own, not VGG's 3
    assert [m.value for m in at.metric][2] == "10"


@pytest.mark.parametrize("side", ["abc", "1e999", "-1e999", "nan", "9" * 400])
def test_hostile_architecture_settings_are_ignored(side):
    at = open_page("pages/architectures.py", {"architectures_name": "../../etc", "architectures_side": side,
                                              "architectures_channels": "99999", "architectures_classes": "-5"})
    assert at.selectbox(key="architectures_name").value == "lenet5"  # the page's default (issue #14)
    assert (at.number_input(key="architectures_channels").value, at.number_input(key="architectures_side").value) \
        == (1, 32)
    assert not any(k.startswith("architectures_") for k in at.query_params)


@pytest.fixture(scope="module")
def two_models():
    first = save_digits_model(epochs=1, name="url first net")
    second = save_digits_model(epochs=1, name="url second net")
    return first, second


def test_the_linked_model_is_opened_and_a_new_choice_goes_into_the_address(two_models):
    first, second = two_models
    at = open_page("pages/occlusion.py", {"model": first.id, "occlusion_stride": "2"})
    assert at.selectbox(key="occlusion_model").value == first.id
    assert at.slider(key="occlusion_stride").value == 2
    assert at.query_params["model"] == first.id
    at.selectbox(key="occlusion_model").set_value(second.id).run()
    ok(at)
    assert at.query_params["model"] == second.id


@pytest.mark.parametrize("raw", ["../../etc/passwd", "x" * 3000, "%00"])
def test_a_model_this_server_does_not_have_is_explained(two_models, raw):
    at = open_page("pages/saliency.py", {"model": raw})
    assert at.selectbox(key="saliency_model").value in {m.id for m in two_models}
    if len(raw) < 2000:
        assert any("not on this server" in c.value for c in at.caption)
    assert at.query_params["model"] != raw


def test_saved_models_page_opens_the_linked_model(two_models):
    first, _ = two_models
    at = open_page("pages/models.py", {"model": first.id})
    assert next(s for s in at.selectbox if s.label == "Model").value == first.id


def test_an_edited_kernel_travels_in_the_link_until_another_preset_is_chosen():
    at = open_page("pages/convolution.py", {"convolution_preset": "Laplacian",
                                            "convolution_kernel": "0,0,0_0,2,0_0,0,0"})
    assert at.dataframe[0].value.to_numpy().tolist() == [[0, 0, 0], [0, 2, 0], [0, 0, 0]]
    assert at.query_params["convolution_kernel"] == "0,0,0_0,2,0_0,0,0"
    at.selectbox(key="convolution_preset").set_value("sobel y").run()
    ok(at)
    assert at.dataframe[0].value.to_numpy().tolist() == [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    assert "convolution_kernel" not in at.query_params


@pytest.mark.parametrize("raw", ["1,2,3", "nan,0,0_0,0,0_0,0,0", "../../etc", "9" * 2500])
def test_a_broken_kernel_in_the_link_leaves_the_preset(raw):
    """Also an int slider given a number too large for any int."""
    at = open_page("pages/convolution.py", {"convolution_kernel": raw, "convolution_stride": "2",
                                            "convolution_dilation": "1e999", "convolution_size": "inf"})
    assert at.dataframe[0].value.to_numpy().tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert at.slider(key="convolution_stride").value == 2
    assert "convolution_kernel" not in at.query_params


def test_a_link_opens_a_dataset_digit_but_never_an_upload():
    at = open_page("pages/convolution.py", {"convolution_source": "dataset", "convolution_dataset": "Handwritten digits (8x8)",
                                            "convolution_digit": "5"})
    assert at.radio(key="convolution_source").value == "dataset"
    assert "Input **8 x 8**" in " ".join(m.value for m in at.markdown)
    assert at.number_input(key="convolution_digit").value == 5
    at.radio(key="convolution_source").set_value("upload").run()
    ok(at)
    assert "convolution_source" not in at.query_params
    upload = open_page("pages/convolution.py", {"convolution_source": "upload"})
    assert upload.radio(key="convolution_source").value == "sample"

"""AppTest: the Architectures page's table, metrics, too-small message and calculators."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.page_helpers import open_page


@pytest.fixture
def at() -> AppTest:
    return open_page("pages/architectures.py", timeout=120)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_lenet5_by_default(at):
    """Issue #14: the page starts on LeNet-5, the network a student can read layer by layer."""
    assert at.selectbox(key="architectures_name").value == "lenet5"
    assert at.dataframe[0].value["Parameters"].sum() == 60_850


def test_vgg16_with_published_count(at):
    at.selectbox(key="architectures_name").set_value("vgg16").run()
    table = at.dataframe[0].value
    assert table["Parameters"].sum() == 138_357_544
    assert table["Output shape"].iloc[0] == "64 x 224 x 224"
    assert metrics(at)["Parameters"] == "138.4 M" and metrics(at)["MACs per image"] == "15.47 G"
    assert at.get("image"), "the volumes picture is missing"


def test_switching_architecture_resets_the_input_and_changes_the_table(at):
    at.selectbox(key="architectures_name").set_value("lenet5").run()
    assert at.number_input(key="architectures_side").value == 32
    assert at.number_input(key="architectures_channels").value == 1
    table = at.dataframe[0].value
    c3 = table[table["Type"].str.startswith("PartialConv2d")]
    assert list(c3["Parameters"]) == [1516] and list(c3["Output shape"]) == ["16 x 10 x 10"]
    assert table["Parameters"].sum() == 60_850


def test_input_size_changes_shapes_and_dense_parameters(at):
    at.selectbox(key="architectures_name").set_value("alexnet_torchvision").run()
    before = at.dataframe[0].value
    at.number_input(key="architectures_side").set_value(256).run()
    after = at.dataframe[0].value
    assert before["Parameters"].sum() == 61_100_840 and after["Parameters"].sum() > 61_100_840
    assert after["Output shape"].iloc[0] == "64 x 63 x 63"  # (256 + 4 - 11) / 4 + 1


def test_too_small_input_is_explained_and_calculators_stay(at):
    at.selectbox(key="architectures_name").set_value("vgg16").run()
    at.number_input(key="architectures_side").set_value(16).run()
    assert not at.exception and not at.error
    text = at.warning[0].value
    assert "too small" in text and "MaxPool2d" in text
    assert "32x32" in at.info[0].value  # the smallest VGG-16 input
    assert not at.dataframe or all("Type" not in d.value.columns for d in at.dataframe)
    assert "Fewer multiplications" in metrics(at)  # the calculators are still there


def test_bottleneck_calculator_course_example_and_change(at):
    assert metrics(at)["5x5 directly"] == "120.4 M"
    assert metrics(at)["With the 1x1 to 16"] == "12.4 M"
    at.number_input(key="architectures_bn_reduce").set_value(32).run()
    assert metrics(at)["With the 1x1 to 32"] == "24.9 M"  # 28*28*(32*192 + 32*25*32)


def test_receptive_field_presets(at):
    assert metrics(at)["One unit of the last layer sees"] == "5x5 input pixels"
    at.button_group(key="architectures_rf_preset").set_value("three 3x3").run()
    assert metrics(at)["One unit of the last layer sees"] == "7x7 input pixels"
    at.button_group(key="architectures_rf_preset").set_value("dilated 1, 2, 4").run()
    assert metrics(at)["One unit of the last layer sees"] == "15x15 input pixels"


def test_dense_vs_conv_calculator(at):
    text = " ".join(m.value for m in at.markdown)
    assert "2,097,664" in text and "320" in text
    at.number_input(key="architectures_dvc_h").set_value(128).run()
    text = " ".join(m.value for m in at.markdown)
    assert "4,194,816" in text and "**320**" in text  # 128*64*512 + 512; still 320

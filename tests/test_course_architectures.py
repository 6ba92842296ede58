"""The course's numbers on the Architectures page: computed descriptions for any input size,
LeNet-5's C3 table, the review table's depths and the drawn building blocks."""

from __future__ import annotations

import json
import re

import pytest
import torch
from streamlit.testing.v1 import AppTest

from explorer import models
from explorer.models import at_size, depth, diagrams, lenet, review
from explorer.ui import url_state
from tests.conftest import ROOT


def meta_summary(name: str, shape=None):
    shape = shape or models.info(name).input_size
    with torch.device("meta"):
        model = models.build(name, in_channels=shape[0], input_size=shape[1:])
    return models.summary(model, shape)


@pytest.mark.parametrize("name", models.names())
def test_static_descriptions_agree_with_the_design_size(name):
    """Every 'a -> b -> c' chain of sides and every 'N parameters' a description states is what
    the model built at its design size computes."""
    text = models.info(name).description
    s = meta_summary(name)
    for chain in re.findall(r"\d+(?: -> \d+)+", text):
        steps = [int(n) for n in chain.split(" -> ")]
        if steps[0] == s.input_shape[-1]:  # a chain of sides, not of channels
            assert steps == at_size.sides(s), (name, chain)
    for number in re.findall(r"([\d,]{5,}) parameters", text):
        assert int(number.replace(",", "")) in (s.total_params, lenet.c3_counts().params), (name, number)


def test_sides_and_sentence_follow_the_input_size():
    s = meta_summary("alexnet", (3, 300, 300))
    assert at_size.sides(s) == [300, 73, 36, 17, 8]  # (300 - 11) // 4 + 1 = 73, then 3/2 poolings
    assert f"{s.total_params:,} parameters" in at_size.sentence(s)


def test_c3_counts_computed_from_the_table():
    c = lenet.c3_counts()
    m = lenet.c3_matrix()
    assert m.shape == (6, 16)
    assert c.weights == m.sum() * 25 == 1500 and c.biases == 16 and c.params == 1516
    assert c.full_weights == 6 * 16 * 25 == 2400
    assert c.connections == 151_600 and c.full_weight_connections == 240_000
    # the model's own C3 has the same number of trainable numbers
    assert sum(p.numel() for p in models.build("lenet5")[4].parameters()) == c.params


@pytest.mark.parametrize("name,layers", [("vgg16", 16), ("alexnet", 8), ("googlenet", 22), ("resnet18", 18),
                                         ("resnet34", 34), ("resnet152", 152), ("lenet5", 5)])
def test_depth_counts_weight_layers_as_the_papers_do(name, layers):
    with torch.device("meta"):
        assert depth.weight_depth(models.build(name)) == layers


def test_resnet152_has_torchvisions_parameter_count():
    # torchvision.models.resnet152().num_parameters, 1000 classes
    with torch.device("meta"):
        assert sum(p.numel() for p in models.build("resnet152").parameters()) == 60_192_808


def test_review_table_quotes_only_the_same_networks():
    rows = {r.name: r for r in review.table()}
    assert rows["alexnet"].quote.top5_error == 15.4 and rows["vgg16"].quote.top5_error == 7.3
    assert round(rows["googlenet"].quote.top5_error, 2) == 6.7
    assert round(rows["resnet152"].quote.top5_error, 2) == 4.49
    assert rows["resnet18"].quote is None and rows["lenet5"].quote is None
    assert rows["vgg16"].params == meta_summary("vgg16").total_params


def test_diagrams_carry_the_modules_shapes():
    nodes, edges, _s = diagrams.inception_nodes()
    labels = " ".join(n["label"] for n in nodes)
    assert "64x28x28" in labels and "128x28x28" in labels and "32x28x28" in labels and "256x28x28" in labels
    assert len([e for e in edges if e[1] == "out"]) == 4  # four branches meet
    nodes, edges, _ = diagrams.residual_nodes()
    assert ("skip", "add") in edges and any("64x56x56" in n["label"] for n in nodes)


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    app.switch_page("pages/architectures.py").run()
    assert not app.exception
    return app


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def test_page_states_the_numbers_for_the_chosen_size(at):
    at.selectbox(key="architectures_name").set_value("alexnet").run()
    at.number_input(key="architectures_side").set_value(300).run()
    s = meta_summary("alexnet", (3, 300, 300))
    text = markdown(at)
    assert "300 → 73 → 36 → 17 → 8" in text and f"{s.total_params:,} parameters" in text
    assert "0.4%" in text and "0.3%" in text and "quoted from the course" in text


def test_page_draws_lenets_c3_table_with_its_counts(at):
    at.selectbox(key="architectures_name").set_value("lenet5").run()
    assert not at.exception
    text = markdown(at)
    assert "1,516 parameters = 1,500 weights + 16 biases" in text
    assert "2,400 weights" in text and "151,600 connections" in text and "240,000" in text
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    table = [sp for sp in specs if "C3 map (output)" in json.dumps(sp)]
    assert table, "the C3 table is not drawn"
    assert table[0]["width"] == 16 * table[0]["height"] / 6  # 16 columns, 6 rows of equal cells


def test_presenter_mode_enlarges_lenets_c3_table(at):
    """Read from the back of the room: larger cells, and axis numbers and titles of 18 px or more."""
    at.selectbox(key="architectures_name").set_value("lenet5").run()
    laptop = c3_table(at)
    at.session_state[url_state.PRESENT_KEY] = True
    at.run()
    assert not at.exception
    presenter = c3_table(at)
    assert presenter["width"] >= 1.5 * laptop["width"]
    assert presenter["config"]["axis"]["labelFontSize"] >= 18 and presenter["config"]["axis"]["titleFontSize"] >= 18
    assert "axis" not in laptop.get("config", {})
    x_size = [layer["mark"]["fontSize"] for layer in presenter["layer"] if layer["mark"]["type"] == "text"]
    assert x_size and x_size[0] >= 18  # the X of a connected pair


@pytest.mark.parametrize("name,drawn", [("googlenet", "concatenate"), ("resnet18", "shortcut")])
def test_presenter_mode_enlarges_the_block_diagrams(at, name, drawn):
    """The Inception module and the residual block at 1.6 times their size, labels 18 px (11 px
    on a laptop, as they were in presenter mode too)."""
    at.selectbox(key="architectures_name").set_value(name).run()
    laptop = diagram(at, drawn)
    at.session_state[url_state.PRESENT_KEY] = True
    at.run()
    assert not at.exception
    presenter = diagram(at, drawn)
    label = [layer["mark"]["fontSize"] for d in (laptop, presenter) for layer in d["layer"]
             if layer["mark"]["type"] == "text"]
    assert label == [11, 18]
    assert presenter["width"] == round(1.6 * laptop["width"]) and presenter["height"] == round(1.6 * laptop["height"])


def diagram(at: AppTest, drawn: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    return next(sp for sp in specs if drawn in json.dumps(sp))


def c3_table(at: AppTest) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    return next(sp for sp in specs if "C3 map (output)" in json.dumps(sp))


def test_page_review_table_and_blocks(at):
    at.selectbox(key="architectures_name").set_value("resnet34").run()
    assert not at.exception
    text = markdown(at)
    assert "Top-5 error" in text
    review_df = next(d.value for d in at.dataframe if "Depth (weight layers)" in d.value.columns)
    assert list(review_df["Depth (weight layers)"]) == [5, 8, 16, 22, 18, 34, 152]
    # the course's figures; an empty cell (not "None") where it quotes none
    assert list(review_df["Top-5 error (%)"]) == ["", "15.4", "7.3", "6.7", "", "", "4.49"]
    degradation = next(d.value for d in at.dataframe if "top-1 error (%)" in d.value.columns)
    assert degradation["top-1 error (%)"].tolist() == [27.94, 28.54, 27.88, 25.03]
    assert "He et al. 2015" in text

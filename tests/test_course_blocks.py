"""The 'Neurons, layers, ReLU, dropout' page: a neuron, softmax, the course's MLP counted layer
by layer, ReLU vs tanh vs sigmoid trained live, dropout in both conventions, AlexNet's
augmentation preview and the warning about mirroring hand signs."""

from __future__ import annotations

import json

import numpy as np
import torch
from streamlit.testing.v1 import AppTest

from explorer import models
from explorer.data import datasets
from explorer.learn import activation_race, alexnet_augment, dropout_demo, neuron, neuron_charts
from explorer.ui import url_state
from tests.conftest import ROOT


def test_neuron_and_softmax():
    out = neuron.neuron(np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.25, "relu")
    assert out.z == 0.5 - 2.0 + 0.25 and out.a == 0.0
    p = neuron.softmax(np.array([2.0, 1.0, 0.0]))
    np.testing.assert_allclose(p, torch.softmax(torch.tensor([2.0, 1.0, 0.0]), 0).numpy(), rtol=1e-6)


def _layer_values(spec: dict, layer: int) -> list[dict]:
    """The rows one layer of an Altair layer chart's spec plots."""
    return spec["datasets"][spec["layer"][layer]["data"]["name"]]


def test_the_activation_chart_marks_the_neurons_own_point():
    spec = neuron_charts.activation_curve("tanh", 0.35).to_dict()
    curve, dot = _layer_values(spec, 0), _layer_values(spec, 3)
    z = np.array([r["z"] for r in curve])
    np.testing.assert_allclose([r["a"] for r in curve], np.tanh(z))
    assert (z[0], z[-1]) == (-6.0, 6.0)
    assert dot == [{"z": 0.35, "a": float(np.tanh(0.35))}]
    far = neuron_charts.activation_curve("relu", -40.0).to_dict()  # z off the usual axis: the axis widens
    assert far["layer"][0]["encoding"]["x"]["scale"]["domain"] == [-44.0, 44.0]
    assert _layer_values(far, 3) == [{"z": -40.0, "a": 0.0}]


def test_course_mlp_counts_layer_by_layer():
    rows = neuron.dense_rows(models.build("course_mlp"))
    assert [(r.inputs, r.units) for r in rows] == [(64 * 64, 512), (512, 512), (512, 10)]
    assert [r.params for r in rows] == [4096 * 512 + 512, 512 * 512 + 512, 512 * 10 + 10]
    assert sum(r.params for r in rows) == sum(p.numel() for p in models.build("course_mlp").parameters())


def test_dropout_conventions_agree_on_average():
    x = np.linspace(0.1, 1.0, 8)
    s = dropout_demo.step(x, 0.5, seed=3)
    np.testing.assert_allclose(s.torch_train[s.kept], x[s.kept] * 2)  # inverted: x / (1 - p)
    assert (s.torch_train[~s.kept] == 0).all() and np.allclose(s.torch_test, x)
    np.testing.assert_allclose(s.paper_test, x * 0.5)
    np.testing.assert_allclose(dropout_demo.average_over_steps(x, 0.5, 4000), x, atol=0.06)


def test_activation_race_trains_all_three_from_the_same_start():
    train, _ = datasets.split(datasets.load("digits"))
    torch.manual_seed(0)
    a = activation_race.network("relu")
    torch.manual_seed(0)
    b = activation_race.network("tanh")
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    curves = activation_race.race(train.images, train.labels, steps=200, every=50)
    assert [c.act for c in curves] == ["relu", "tanh", "sigmoid"]
    relu = curves[0]
    assert relu.errors[-1] < 0.5 < relu.errors[0]  # it learns
    assert relu.steps_to() == next(s for s, e in zip(relu.steps, relu.errors) if e <= 0.25)


def test_alexnet_style_crops_and_mirror():
    img = np.arange(2 * 16 * 16, dtype=np.float32).reshape(2, 16, 16)
    assert np.array_equal(alexnet_augment.mirror(img)[:, :, 0], img[:, :, -1])
    crops = alexnet_augment.random_crops(img, 5, seed=1)
    side = round(16 * 224 / 256)
    for crop, (top, left) in crops:
        assert crop.shape == (2, side, side) and np.array_equal(crop, img[:, top:top + side, left:left + side])


def test_page_shows_every_block():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page("pages/building_blocks.py").run()
    assert not at.exception and not at.error
    text = " ".join(str(e.value) for k in ("markdown", "caption", "info", "warning", "latex") for e in getattr(at, k))
    assert "**2,365,450 parameters**" in text and "quoted from the course" in text
    assert "six times faster" in text
    assert "mirroring is wrong for hand signs" in text
    mlp = next(d.value for d in at.dataframe if "parameters" in d.value.columns)
    assert list(mlp["layer"]) == ["dense 1 (hidden)", "dense 2 (hidden)", "dense 3 (output)"]  # not 1, 4, 7
    at.number_input(key="blocks_x0").set_value(2.0).run()
    neuron_tex = " ".join(str(l.value) for l in at.latex)
    # Negative numbers in brackets: "0.8·2 + (-0.5)·0.5 + 0.3·(-1)", not "+ -0.5·0.5 + 0.3·-1".
    assert "0.8·2 + (-0.5)·0.5 + 0.3·(-1) + 0.1" in neuron_tex
    at.selectbox(key="blocks_activation").set_value("sigmoid").run()
    chart = at.get("vega_lite_chart")[0].proto.spec  # section 1's chart follows the neuron (z = 1.15 now)
    assert '"a = sigmoid(z)"' in chart and '"Your neuron on its activation"' in chart
    at.select_slider(key="blocks_race_steps").set_value(100).run()
    at.button(key="blocks_race_run").click().run()
    assert not at.exception
    table = [d.value for d in at.dataframe if "steps to 25% error" in d.value.columns][0]
    assert list(table["activation"]) == ["relu", "tanh", "sigmoid"]
    # The race as a chart with its finish line at 25%, and in presenter mode 18 px axis texts
    # (st.line_chart takes no chart config: it stayed at 12 px).
    race, = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart") if "training steps" in c.proto.spec]
    assert any(layer.get("mark", {}).get("type") == "rule" for layer in race["layer"])
    dropout = [d.value for d in at.dataframe if "unit 0" in d.value.columns][0]
    assert len(dropout) == 6
    # PyTorch's test-time outputs are the layer's input unchanged, and the table shows them alike
    # (the input row read 0.9 and 1 above 0.90 and 1.00)
    units = [c for c in dropout.columns if c.startswith("unit")]
    assert list(dropout.iloc[0][units]) == list(dropout.iloc[3][units])
    at.session_state[url_state.PRESENT_KEY] = True
    at.run()
    race, = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart") if "training steps" in c.proto.spec]
    assert race["config"]["axis"]["labelFontSize"] >= 18

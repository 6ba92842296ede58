"""AppTest: each view's "Show the code" panel holds the script for the page's current settings,
and that script, run in a fresh process, prints the numbers the page shows."""

from __future__ import annotations

import re

import pytest

from explorer.percent import percent
from explorer.ui import code_panel
from tests.codegen_helpers import number, run_script, shape
from tests.inspect_helpers import save_digits_model
from tests.page_helpers import open_page, texts


def open_panel(at, view: str):
    """The page's one "Show the code" expander after a student opened it (it is lazy: built only
    while open)."""
    at.session_state[code_panel.KEY_PREFIX + view] = True
    at.run()
    panels = [e for e in at.expander if e.label == code_panel.LABEL]
    assert len(panels) == 1, [e.label for e in at.expander]
    return panels[0]


def panel_code(at, view: str) -> str:
    """The code in the page's one "Show the code" expander, opened."""
    open_panel(at, view)
    panels = [e for e in at.expander if e.label == code_panel.LABEL]
    assert len(panels) == 1, [e.label for e in at.expander]
    codes = panels[0].code
    assert len(codes) == 1
    return codes[0].value


def test_convolution_panel_follows_the_settings(tmp_path):
    at = open_page("pages/convolution.py", timeout=120)
    at.slider(key="convolution_stride").set_value(3).run()
    at.slider(key="convolution_dilation").set_value(2).run()
    code = panel_code(at, "convolution")
    assert "stride=3" in code and "dilation=2" in code and "shapes.png" in code
    m = re.search(r"output \*\*(\d+) x (\d+)\*\*", texts(at, "markdown"))
    out = run_script(code, tmp_path)
    assert shape(out, "output shape") == (int(m.group(1)), int(m.group(2)))


def test_pooling_panel_follows_the_settings(tmp_path):
    at = open_page("pages/pooling.py", timeout=120)
    at.slider(key="pooling_size").set_value(3).run()
    code = panel_code(at, "pooling")
    assert "pool2d(m, 3, stride=2" in code
    m = re.search(r"output \*\*(\d+) x (\d+)\*\*", texts(at, "markdown"))
    out = run_script(code, tmp_path)
    assert shape(out, "pooled shape")[-2:] == (int(m.group(1)), int(m.group(2)))


def test_architectures_panel_counts_the_pages_parameters(tmp_path):
    at = open_page("pages/architectures.py", timeout=120)
    at.selectbox(key="architectures_name").set_value("tinyvgg").run()
    code = panel_code(at, "architecture")
    total = int(re.search(r"([\d,]+) numbers learned", at.metric[0].proto.help).group(1).replace(",", ""))
    out = run_script(code, tmp_path)
    assert number(out, "parameters") == total
    assert f"{int(number(out, 'MACs')):,}" in at.metric[1].proto.help


def test_architectures_panel_says_why_a_branching_net_has_no_script():
    at = open_page("pages/architectures.py", timeout=120)
    at.selectbox(key="architectures_name").set_value("resnet18").run()
    panel = open_panel(at, "architecture")
    assert not panel.code
    assert "not a plain stack" in panel.info[0].value


@pytest.fixture(scope="module")
def saved():
    return save_digits_model(epochs=2, name="code panel test net")


def test_saliency_panel_loads_the_saved_model_and_predicts_as_the_page(saved, tmp_path):
    at = open_page("pages/saliency.py")
    at.toggle(key="saliency_sanity").set_value(False).run()
    code = panel_code(at, "explanations")
    assert str(saved.path) in code and "weights.safetensors" in code
    out = run_script(code, tmp_path)
    predicted = re.search(r"Prediction: \*\*(\w+)\*\* \(([^)]+)\)", texts(at, "markdown"))
    assert re.search(rf"^prediction: {predicted.group(1)} ", out, re.MULTILINE)
    probs = [float(v) for v in re.search(r"probabilities: \[(.*)\]", out).group(1).split(",")]
    assert percent(max(probs)) == predicted.group(2)
    assert len(re.findall(r"^\w+: shape \(8, 8\) sum", out, re.MULTILINE)) == 6


def test_occlusion_panel_uses_the_pages_window(saved, tmp_path):
    at = open_page("pages/occlusion.py")
    at.slider(key="occlusion_window").set_value(3).run()
    code = panel_code(at, "explanations")
    assert "sliding_window_shapes=(x.shape[1], 3, 3)" in code
    out = run_script(code, tmp_path)
    assert re.search(r"^occlusion: shape \(8, 8\) sum", out, re.MULTILINE)


def test_feature_map_panel_prints_every_layer_of_the_page(saved, tmp_path):
    at = open_page("pages/filters.py")
    code = panel_code(at, "feature_maps")
    out = run_script(code, tmp_path)
    layers = [e.label.split(" · ")[0].removeprefix("Layer ") for e in at.expander if e.label.startswith("Layer ")]
    assert layers and all(re.search(rf"^layer {name}: shape", out, re.MULTILINE) for name in layers)


def test_max_activation_panel_follows_the_channel(saved, tmp_path):
    at = open_page("pages/max_activations.py")
    at.number_input(key=next(n.key for n in at.number_input if n.key.startswith("max_activations_channel_"))).set_value(2).run()
    code = panel_code(at, "top_activations")
    assert "CHANNEL = " in code and ", 2\n" in code
    out = run_script(code, tmp_path)
    first = re.search(r"^channel 2 top pictures: \[(\d+),", out, re.MULTILINE).group(1)
    assert f"#{first} (" in at.get("image")[0].proto.imgs[0].caption  # the page's first picture


@pytest.mark.parametrize("preset", ["box * box", "two Gaussians", "dropped ball"])
def test_1d_panel_prints_the_pages_value_at_the_shift(preset, tmp_path):
    at = open_page("pages/convolution_1d.py", timeout=120)
    at.button_group(key="convolution_1d_preset").set_value(preset).run()
    key, c = {"box * box": ("box", 0.74), "two Gaussians": ("gauss", -12.0)}.get(preset, ("ball", 7.0))
    at.select_slider(key=f"convolution_1d_shift_{key}").set_value(c).run()  # one shift per example
    out = run_script(panel_code(at, "convolution_1d"), tmp_path)
    shown = at.metric[0].value  # "(f * g)(c) = shaded area" or "P(total = c)"
    assert re.search(rf"^\(f \* g\)\(\S+\): {re.escape(shown)}$", out, re.MULTILINE), (shown, out)


def test_1d_panel_writes_the_echo(tmp_path):
    at = open_page("pages/convolution_1d.py", timeout=120)
    at.button_group(key="convolution_1d_preset").set_value("echo").run()
    at.slider(key="convolution_1d_delay").set_value(120).run()
    out = run_script(panel_code(at, "convolution_1d_echo"), tmp_path)
    length = next(m.value for m in at.metric if "samples" in m.value)  # "5600 + 1921 − 1 = 7520 samples"
    assert out.splitlines()[0].replace("- 1", "− 1").removeprefix("length: ") == length


def test_baselines_panel_carries_the_split_and_the_chosen_models():
    at = open_page("pages/baselines.py", timeout=120)
    at.slider(key="baselines_test_size").set_value(0.3).run()
    at.multiselect(key="baselines_models").set_value(["knn", "mlp"]).run()
    code = panel_code(at, "baselines")
    assert "test_size=0.3, random_state=8" in code
    assert '"knn": KNeighborsClassifier(3)' in code and "SVC" not in code


def test_saliency_panel_repeats_the_sanity_check(saved, tmp_path):
    at = open_page("pages/saliency.py")
    shown = [float(v) for v in re.findall(r"similarity to the trained map: (-?\d\.\d\d)", texts(at, "caption"))]
    assert len(shown) == 6
    out = run_script(panel_code(at, "explanations"), tmp_path)
    ours = dict(re.findall(r"^similarity (\w+): (-?\d\.\d\d)$", out, re.MULTILINE))
    methods = ["saliency", "integrated_gradients", "smoothgrad", "guided_backprop", "grad_cam", "guided_grad_cam"]
    for method, value in zip(methods, shown):
        if method != "smoothgrad":  # random noise: not the page's draw
            assert float(ours[method]) == pytest.approx(value, abs=0.011), method


def test_an_unknown_picture_source_gets_a_sentence_not_a_traceback():
    from streamlit.testing.v1 import AppTest

    def app():
        from types import SimpleNamespace

        import numpy as np

        from explorer.ui import code_panel

        pic = SimpleNamespace(key="live:frame-12", array=np.zeros((1, 8, 8), np.float32))
        code_panel.pooling(pic, "picture", np.ones((3, 3)), False, "max", 2, 2, 0)

    at = AppTest.from_function(app).run()
    at.session_state[code_panel.KEY_PREFIX + "pooling"] = True
    at.run()
    assert not at.exception
    assert at.expander[0].info[0].value == code_panel.NO_PICTURE


def test_a_closed_panel_sends_nothing_inside():
    """Closed, the panel is its expander alone: no script written, no downloads, no code sent on
    the runs of a student who never opens it (issue 16: every element costs the class's server)."""
    at = open_page("pages/pooling.py", timeout=120)
    at.segmented_control(key="pooling_mode").set_value("avg").run()  # a change of the kind
    panels = [e for e in at.expander if e.label == code_panel.LABEL]
    assert len(panels) == 1
    assert not panels[0].children  # before: a caption, two downloads and the code
    assert "avg_pool2d" in panel_code(at, "pooling")  # opened, it follows the kind

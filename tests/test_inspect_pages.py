"""AppTest of the Inspect pages with a small model saved through the registry, and the
"train the default net now" path when there is no model."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from explorer.inspect import attribution
from explorer.learn import geometry
from explorer.saved import registry
from tests.inspect_helpers import save_digits_model
from tests.page_helpers import APP, captions, open_page


@pytest.fixture(scope="module")
def saved():
    """One tiny digits model in the session's private data folder (newest, so picked first)."""
    return save_digits_model(epochs=2, name="inspect test net")




def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def test_saliency_shows_every_method_and_the_sanity_check(saved):
    at = open_page("pages/saliency.py")
    assert at.selectbox(key="saliency_model").value == saved.id
    titles = [m.value for m in at.markdown if m.value.startswith("**")]
    for method in ["saliency", "integrated_gradients", "smoothgrad", "guided_backprop", "grad_cam", "guided_grad_cam"]:
        assert titles.count(f"**{attribution.METHODS[method].title}**") == 2  # trained + randomised
    assert len(at.get("image")) == 1 + 2 * 6 * 2  # input + (heat map, overlay) x 6 x 2 models
    assert len(re.findall(r"similarity to the trained map: -?\d\.\d\d", text(at))) == 6
    assert "Prediction:" in text(at)

    at.toggle(key="saliency_sanity").set_value(False).run()
    assert len(at.get("image")) == 1 + 2 * 6
    at.selectbox(key="saliency_view").set_value("overlay").run()
    assert len(at.get("image")) == 1 + 6
    # explaining another class re-titles the maps
    target = next(s for s in at.selectbox if s.key.startswith("saliency_target_"))
    other = (target.value + 1) % 10
    target.set_value(other).run()
    assert not at.exception
    assert any(f"Why “{other}”?" in h.value for h in at.subheader)


def test_saliency_test_picture_filters(saved):
    at = open_page("pages/saliency.py")
    at.button_group(key="saliency_filter").set_value("wrong").run()
    assert not at.exception
    slider = [s for s in at.slider if s.key == "saliency_index"]
    msg = text(at)
    # the model is not perfect after 2 epochs: some wrong pictures, each marked wrong
    assert slider or "No test picture matches" in " ".join(i.value for i in at.info)
    if slider:
        assert "❌" in msg
    at.button_group(key="saliency_filter").set_value("correct").run()
    at.selectbox(key="saliency_class").set_value(7).run()
    assert "true class **7** ✅" in text(at)


def test_occlusion_counts_positions_with_the_output_size_formula(saved):
    at = open_page("pages/occlusion.py")
    at.slider(key="occlusion_window").set_value(2).run()
    at.slider(key="occlusion_stride").set_value(2).run()
    n = geometry.output_size(8, 2, 2)  # 8x8 digits: 4 windows tile each axis exactly
    assert f"**{n} x {n} = {n * n} positions**" in text(at) and "partial" not in text(at)
    assert any(rf"= {n}" in l.value for l in at.latex)
    assert any(c.startswith("Drop in P(") for c in captions(at))
    at.slider(key="occlusion_window").set_value(3).run()
    at.slider(key="occlusion_stride").set_value(3).run()  # (8 - 3) / 3 leaves 2 pixels over
    full, partial = attribution.occlusion_axis(8, 3, 3)
    assert (full, partial) == (2, 1)
    assert "**3 x 3 = 9 positions**" in text(at) and "partial window" in text(at)
    assert not at.exception


def test_filters_page_shows_kernels_epochs_maps_and_summary(saved):
    at = open_page("pages/filters.py")
    epochs = at.select_slider(key="filters_epoch")
    assert epochs.options == ["before training", "1", "2"]
    first = captions(at)
    epochs.set_value(0).run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert labels[0].startswith("Layer 0 · Conv2d 3x3") and labels[0].endswith("8 x 8 x 8")
    assert any("ReLU" in l for l in labels) and any("MaxPool2d" in l for l in labels)
    assert "parameters" in text(at) and len(at.dataframe) == 1
    at.selectbox(key="filters_layer").set_value("4").run()  # a deeper layer: per-input-channel slices
    assert at.slider(key="filters_in_channel").max == 7
    assert any("slice 0 of 8" in c for c in captions(at)) and captions(at) != first


def test_max_activations_page(saved):
    at = open_page("pages/max_activations.py")
    assert "1,797 pictures searched" in text(at)
    k = at.slider(key="max_activations_k").value
    layer = at.selectbox(key="max_activations_layer").value
    assert len(captions(at)) == k
    at.number_input(key=f"max_activations_channel_{layer}").set_value(5).run()
    values = [float(c.split(" · ")[0]) for c in captions(at)]
    assert values == sorted(values, reverse=True)
    at.selectbox(key="max_activations_layer").set_value("0").run()
    assert "sees 3x3 pixels" in text(at)


def test_no_model_offers_to_train_the_default_net(data_dir):
    from explorer.ui import cached

    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/occlusion.py").run()
    assert not at.exception and registry.list_models() == []
    assert any("no trained model yet" in i.value for i in at.info)
    at.button(key="occlusion_train").click().run()
    assert not at.exception
    # the offer goes with the click: its button would stay, doing nothing, through the training
    assert not any(b.key == "occlusion_train" for b in at.button)
    assert not any("no trained model yet" in i.value for i in at.info)
    assert cached.job_manager().wait_all(timeout=300)
    at.run()
    models = registry.list_models()
    assert len(models) == 1 and models[0].card.architecture == "fastnet"
    assert at.selectbox(key="occlusion_model").value == models[0].id
    assert "positions" in text(at)


def test_reading_guides_for_sanity_check_and_shortcuts(saved):
    """Issue #14: the sanity check's numbers get a one-line reading guide; Occlusion names
    shortcut learning when the key patch may sit in the background."""
    at = open_page("pages/saliency.py")
    assert "How to read the numbers" in text(at) and "fails the check" in text(at)
    at = open_page("pages/occlusion.py")
    assert any("shortcut" in i.value for i in at.info)


def test_a_photo_gets_the_out_of_distribution_note():
    from explorer.ui import input_picker

    note = input_picker.ood_sentence([str(k) for k in range(10)])
    assert "only answer with one of its 10 classes (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)" in note

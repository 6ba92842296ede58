"""The Saliency and Occlusion scripts: a saved model rebuilt from its folder (meta.json +
safetensors) gives the page's prediction and attribution maps, in a fresh process."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from explorer.codegen import architecture, inside, picture, saved_model
from explorer.codegen import attribution as attr_code
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import attribution, inspection, pixel_model
from explorer.saved import registry
from tests.codegen_helpers import run_script
from tests.inspect_helpers import digits_split, save_digits_model

# The methods without noise; SmoothGrad is compared too, its noise seeded alike.
GRADIENT_METHODS = ["saliency", "integrated_gradients", "guided_backprop", "grad_cam", "guided_grad_cam"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    s = save_digits_model(epochs=2, root=root)
    net, card = registry.load(s.id, root)
    return s, pixel_model.wrap(net, card.normalisation), card


def settings(saved, index, methods, params, layer=None) -> attr_code.AttributionSettings:
    _, model, card = saved
    x = digits_split()[1].images[index]
    probs = pixel_model.probabilities(model, x[None])[0]
    target = int(probs.argmax())
    return attr_code.AttributionSettings(
        saved_ref(saved), picture.Source("test", index=index), target,
        card.classes[target], tuple((m, tuple(params.get(m, ()))) for m in methods), layer)


def saved_ref(saved) -> saved_model.SavedModel:
    s, model, card = saved
    return saved_model.SavedModel(str(s.path), architecture.module_code(pixel_model.inner(model)), card.dataset,
                                  card.input_size, COURSE_SPLIT.test_size, COURSE_SPLIT.random_state)


def printed_maps(out: str) -> dict[str, tuple[float, float]]:
    return {m: (float(a), float(b)) for m, a, b in re.findall(r"^(\w+): shape \(\d+, \d+\) sum (\S+) max (\S+)$", out, re.MULTILINE)}


def test_saliency_script_gives_the_pages_prediction_and_maps(saved, tmp_path):
    _, model, _ = saved
    index = 17
    params = {"integrated_gradients": (("n_steps", 30),)}
    s = settings(saved, index, GRADIENT_METHODS + ["smoothgrad"], params, layer="8")
    out = run_script(attr_code.script(s).code, tmp_path)
    x = pixel_model.batch(digits_split()[1].images[index])
    probs = pixel_model.probabilities(model, x.numpy())[0]
    shown = [float(v) for v in re.search(r"probabilities: \[(.*)\]", out).group(1).split(",")]
    assert shown == pytest.approx(np.round(probs, 4).tolist(), abs=2e-4)
    maps = printed_maps(out)
    assert set(maps) == set(GRADIENT_METHODS) | {"smoothgrad"}

    # SmoothGrad too: its noise starts from the same seed in the script and on the page, whose
    # Captum call works through its samples in batches.
    batches = {"smoothgrad": {"nt_samples_batch_size": 6}}
    torch.manual_seed(5)  # wherever other pages left the generator
    for method in GRADIENT_METHODS + ["smoothgrad"]:
        layer = inspection.module(model, "8") if "grad_cam" in method else None
        page = attribution.attribute(model, x, s.target, method, layer=layer, **dict(params.get(method, ())),
                                     **batches.get(method, {}))
        scale = float(np.abs(page).sum())
        assert maps[method][0] == pytest.approx(float(page.sum()), abs=1e-4 * scale + 1e-6), method
        assert maps[method][1] == pytest.approx(float(page.max()), rel=1e-3, abs=1e-6), method


def test_occlusion_script_gives_the_pages_probability_drops(saved, tmp_path):
    _, model, _ = saved
    index = 3
    params = {"occlusion": (("baseline", 0.0), ("stride", 2), ("window", 3))}
    s = settings(saved, index, ["occlusion"], params)
    code = attr_code.script(s).code
    assert "Saliency" not in code  # only the Captum class the view uses
    out = run_script(code, tmp_path)
    x = pixel_model.batch(digits_split()[1].images[index])
    page = attribution.attribute(model, x, s.target, "occlusion", baseline=0.0, stride=2, window=3)
    got = printed_maps(out)["occlusion"]
    assert got == pytest.approx((float(page.sum()), float(page.max())), rel=1e-3, abs=1e-6)


def test_feature_map_script_gives_the_pages_maps_and_filters(saved, tmp_path):
    _, model, _ = saved
    index = 5
    layers = [layer.name for layer in inspection.layers(model, (1, 8, 8))]
    code = inside.feature_maps(saved_ref(saved), picture.Source("test", index=index), tuple(layers), "4").code
    out = run_script(code, tmp_path)
    x = pixel_model.batch(digits_split()[1].images[index])
    page = inspection.feature_maps(model, x, layers)
    for name in layers:
        m = re.search(rf"^layer {name}: shape \(([\d, ]+)\) sum (\S+) max (\S+)$", out, re.MULTILINE)
        assert tuple(int(v) for v in m.group(1).split(",")) == page[name].shape
        scale = float(np.abs(page[name]).sum())
        assert float(m.group(2)) == pytest.approx(float(page[name].sum()), abs=1e-5 * scale + 1e-6), name
        assert float(m.group(3)) == pytest.approx(float(page[name].max()), rel=1e-4, abs=1e-6), name
    weights = inspection.filters(model, "4")
    m = re.search(r"^filters 4: \(([\d, ]+)\) sum (\S+)$", out, re.MULTILINE)
    assert tuple(int(v) for v in m.group(1).split(",")) == weights.shape
    assert float(m.group(2)) == pytest.approx(float(weights.sum()), rel=1e-4, abs=1e-6)


def test_max_activation_script_finds_the_pages_pictures(saved, tmp_path):
    _, model, _ = saved
    from explorer.data import datasets

    images = datasets.load("digits").images
    page = inspection.top_activations(model, images, (1, 8, 8), "6", 5)
    out = run_script(inside.top_activations(saved_ref(saved), "6", 5, 3).code, tmp_path)
    shown = [int(v) for v in re.search(r"^channel 3 top pictures: \[(.*)\]", out, re.MULTILINE).group(1).split(",")]
    values = [float(v) for v in re.search(r"^channel 3 top values: \[(.*)\]", out, re.MULTILINE).group(1).split(",")]
    assert values == pytest.approx(page.values[3].tolist(), abs=2e-4)
    # Ties aside (equal peaks may come in either order), the same pictures.
    assert set(shown) == set(page.indices[3].tolist()) or values[-1] == pytest.approx(values[-2], abs=1e-4)
    best = [int(v) for v in re.search(r"^best picture per channel: \[(.*)\]", out, re.MULTILINE).group(1).split(",")]
    assert np.mean(np.array(best) == page.indices[:, 0]) >= 0.9  # a tie may pick another picture


@pytest.mark.parametrize("key", ["upload:abc", "upload:abc:camera"])
def test_a_photo_is_read_and_prepared_as_the_page_does(saved, tmp_path, key):
    """An upload: the script reads the file the student names and prepares it like the app; a
    webcam still is cropped to its centred square first, as the page (and the live camera) does."""
    from PIL import Image

    from explorer.data import images

    _, model, _ = saved
    rng = np.random.default_rng(0)
    photo = tmp_path / "hand.png"
    Image.fromarray(rng.integers(0, 255, (90, 70, 3), dtype=np.uint8)).save(photo)
    prepare = pixel_model.prepare_camera if key.endswith("camera") else pixel_model.prepare
    page = prepare(images.decode(photo.read_bytes()), (1, 8, 8))
    probs = pixel_model.probabilities(model, page[None])[0]
    code = inside.feature_maps(saved_ref(saved), picture.source_of(key), ("0",), "0").code
    assert f'PHOTO = "{picture.PHOTO}"' in code
    out = run_script(code.replace(f'PHOTO = "{picture.PHOTO}"', f'PHOTO = "{photo}"'), tmp_path)
    shown = [float(v) for v in re.search(r"probabilities: \[(.*)\]", out).group(1).split(",")]
    assert shown == pytest.approx(np.round(probs, 4).tolist(), abs=2e-4)

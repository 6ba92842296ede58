"""The Saliency and Occlusion scripts: a saved model rebuilt from its folder (meta.json +
safetensors) gives the page's prediction and attribution maps, in a fresh process."""

from __future__ import annotations

import re

import numpy as np
import pytest

from explorer import registry
from explorer.codegen import architecture, picture
from explorer.codegen import attribution as attr_code
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import attribution, pixel_model
from tests.codegen_helpers import run_script
from tests.inspect_helpers import digits_split, save_digits_model

DETERMINISTIC = ["saliency", "integrated_gradients", "guided_backprop", "grad_cam", "guided_grad_cam"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    s = save_digits_model(epochs=2, root=root)
    net, card = registry.load(s.id, root)
    return s, pixel_model.wrap(net, card.normalisation), card


def settings(saved, index, methods, params, layer=None) -> attr_code.AttributionSettings:
    s, model, card = saved
    x = digits_split()[1].images[index]
    probs = pixel_model.probabilities(model, x[None])[0]
    target = int(probs.argmax())
    return attr_code.AttributionSettings(
        str(s.path), architecture.module_code(pixel_model.inner(model)), card.dataset, card.input_size,
        COURSE_SPLIT.test_size, COURSE_SPLIT.random_state, picture.Source("test", index=index), target,
        card.classes[target], tuple((m, tuple(params.get(m, ()))) for m in methods), layer)


def printed_maps(out: str) -> dict[str, tuple[float, float]]:
    return {m: (float(a), float(b)) for m, a, b in re.findall(r"^(\w+): shape \(\d+, \d+\) sum (\S+) max (\S+)$", out, re.M)}


def test_saliency_script_gives_the_pages_prediction_and_maps(saved, tmp_path):
    _, model, _ = saved
    index = 17
    params = {"integrated_gradients": (("n_steps", 30),)}
    s = settings(saved, index, DETERMINISTIC + ["smoothgrad"], params, layer="8")
    out = run_script(attr_code.script(s).code, tmp_path)
    x = pixel_model.batch(digits_split()[1].images[index])
    probs = pixel_model.probabilities(model, x.numpy())[0]
    shown = [float(v) for v in re.search(r"probabilities: \[(.*)\]", out).group(1).split(",")]
    assert shown == pytest.approx(np.round(probs, 4).tolist(), abs=2e-4)
    maps = printed_maps(out)
    assert set(maps) == set(DETERMINISTIC) | {"smoothgrad"}
    from explorer.inspect import inspection

    for method in DETERMINISTIC:
        layer = inspection.module(model, "8") if "grad_cam" in method else None
        page = attribution.attribute(model, x, s.target, method, layer=layer, **dict(params.get(method, ())))
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

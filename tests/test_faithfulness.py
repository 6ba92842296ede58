"""Deletion / insertion curves equal the model's probabilities on hand-made pictures; Captum's
infidelity and sensitivity_max equal their formulas written out; on a trained model the maps
that depend on it beat a random order."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from explorer.inspect import attribution, faithfulness, pixel_model
from explorer.saved import registry
from tests.inspect_helpers import digits_split, save_digits_model


@pytest.fixture(scope="module")
def model():
    saved = save_digits_model(epochs=3, name="faithfulness test net")
    net, card = registry.load(saved.id)
    return pixel_model.wrap(net, card.normalisation).requires_grad_(False)


@pytest.fixture(scope="module")
def test_set():
    return digits_split()[1]


def test_ranking_puts_the_largest_values_first_and_breaks_ties_at_random():
    amap = np.array([[0.1, 0.9], [0.5, 0.5]])
    order = faithfulness.ranking(amap)
    assert order[0] == 1 and set(order[1:3]) == {2, 3} and order[3] == 0
    flat = np.zeros((4, 4))
    assert not np.array_equal(faithfulness.ranking(flat), np.arange(16))  # not raster order
    assert np.array_equal(faithfulness.ranking(flat, seed=3), faithfulness.ranking(flat, seed=3))


def test_pictures_blank_and_restore_pixels_in_order():
    rng = np.random.default_rng(0)
    arr = rng.random((2, 4, 5)).astype(np.float32) + 0.1  # never 0, so blanked pixels show
    order = rng.permutation(20)
    dele = faithfulness.pictures(arr, order, "deletion", steps=4)
    ins = faithfulness.pictures(arr, order, "insertion", steps=4)
    assert dele.shape == ins.shape == (5, 2, 4, 5)
    np.testing.assert_array_equal(dele[0], arr)
    np.testing.assert_array_equal(ins[-1], arr)
    assert not dele[-1].any() and not ins[0].any()
    for s, k in enumerate([0, 5, 10, 15, 20]):
        gone = np.zeros(20, bool)
        gone[order[:k]] = True
        gone = gone.reshape(4, 5)
        np.testing.assert_array_equal(dele[s], np.where(gone, 0, arr))  # all channels of a pixel at once
        np.testing.assert_array_equal(ins[s], np.where(gone, arr, 0))
    with pytest.raises(ValueError):
        faithfulness.pictures(arr, order, "sideways")


def test_area_is_the_mean_probability():
    assert faithfulness.area(np.ones(21)) == pytest.approx(1.0)
    assert faithfulness.area(np.linspace(0, 1, 21)) == pytest.approx(0.5)
    assert faithfulness.area(np.array([1.0, 0.0, 0.0])) == pytest.approx(0.25)


def test_curves_are_the_model_probabilities(model, test_set):
    arr = test_set.images[0]
    target = int(test_set.labels[0])
    amap = attribution.attribute(model, torch.from_numpy(arr.copy())[None], target, "saliency")
    order = faithfulness.ranking(amap)
    got = faithfulness.curves(model, arr, target, {"s": order, "r": faithfulness.random_ranking(64)})
    for mode in faithfulness.MODES:
        pics = torch.from_numpy(faithfulness.pictures(arr, order, mode))
        with torch.no_grad():
            direct = F.softmax(model(pics), 1)[:, target].numpy()
        np.testing.assert_allclose(getattr(got["s"], mode), direct, atol=1e-6)
    c = got["s"]
    assert c.deletion[0] == pytest.approx(c.insertion[-1], abs=1e-6)  # both the untouched picture
    assert c.score == pytest.approx(c.insertion_area - c.deletion_area)


def test_infidelity_is_captums_formula(model, test_set):
    arr = test_set.images[1]
    target = int(test_set.labels[1])
    x = torch.from_numpy(arr.copy())[None]
    amap = attribution.attribute(model, x, target, "integrated_gradients")
    got = faithfulness.infidelity_of(model, arr, target, amap, samples=16, seed=4)
    noise = torch.randn((16, *x.shape[1:]), generator=torch.Generator().manual_seed(4)) * faithfulness.NOISE
    with torch.no_grad():
        f = F.softmax(model(x), 1)[0, target]
        f_pert = F.softmax(model(x - noise), 1)[:, target]
    a_dot_i = (torch.from_numpy(amap)[None, None] * noise).flatten(1).sum(1).double()
    diff = (f - f_pert).double()
    beta = (a_dot_i * diff).sum() / (a_dot_i ** 2).sum()
    by_hand = ((beta * a_dot_i - diff) ** 2).mean().item()
    assert got == pytest.approx(by_hand, rel=1e-3)


def test_sensitivity_is_captums_formula(model, test_set):
    arr = test_set.images[2]
    target = int(test_set.labels[2])

    def explain(xx, t):
        return attribution.attribute(model, xx, t, "saliency")

    got = faithfulness.sensitivity_of(explain, arr, target, samples=4, seed=9)
    x = torch.from_numpy(arr.copy())[None]
    torch.manual_seed(9)
    base = torch.from_numpy(explain(x, target))
    noise = torch.FloatTensor(4, *x.shape[1:]).uniform_(-faithfulness.RADIUS, faithfulness.RADIUS)
    changes = [torch.norm(torch.from_numpy(explain((x + noise[i:i + 1]), target)) - base) / torch.norm(base)
               for i in range(4)]
    assert got == pytest.approx(max(changes).item(), rel=1e-4)


def test_occlusion_beats_a_random_order_on_the_trained_model(model, test_set):
    """What a student is told: a map of the trained model ranks its evidence better than chance."""
    scores, random_scores = [], []
    for i in range(12):
        arr = test_set.images[i]
        x = torch.from_numpy(arr.copy())[None]
        with torch.no_grad():
            target = int(model(x).argmax())
        amap = attribution.attribute(model, x, target, "occlusion", window=2, stride=1)
        c = faithfulness.curves(model, arr, target, {"o": faithfulness.ranking(amap),
                                                     "r": faithfulness.random_ranking(64, seed=i)})
        scores.append(c["o"].score)
        random_scores.append(c["r"].score)
    assert np.mean(scores) > np.mean(random_scores) + 0.2


def test_a_blurred_blank_keeps_the_brightness():
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(1)
    arr = rng.random((1, 20, 20)).astype(np.float32)
    b = faithfulness.blank(arr, "blurred")
    np.testing.assert_allclose(b[0], gaussian_filter(arr[0], 2.0, mode="nearest"), atol=1e-6)
    assert abs(b.mean() - arr.mean()) < 0.02 and b.std() < arr.std() / 2
    assert faithfulness.blank(arr, "black") == 0.0
    order = rng.permutation(400)
    dele = faithfulness.pictures(arr, order, "deletion", steps=2, baseline=b)
    ins = faithfulness.pictures(arr, order, "insertion", steps=2, baseline=b)
    np.testing.assert_allclose(dele[-1], b)  # every pixel removed: the blurred copy
    np.testing.assert_allclose(ins[0], b)
    with pytest.raises(ValueError):
        faithfulness.blank(arr, "noise")


def _verdict_at_zero() -> None:
    import pandas as pd

    from explorer.ui import faithfulness_views

    frame = pd.DataFrame({"method": ["Saliency", "Occlusion"], "score ↑": [-0.0021, -0.3],
                          "random order score": [0.0, 0.0], "random weights score": [0.0001, 0.2]})
    faithfulness_views.verdict(frame, "On this picture")


def test_the_faithfulness_verdict_writes_no_signed_zero():
    """The verdict under the same table wrote margins with a sign: a best score just below the
    random order's read "score -0.00: -0.00 against a random order"."""
    from streamlit.testing.v1 import AppTest

    text = AppTest.from_function(_verdict_at_zero).run().info[0].value
    assert "(score 0.00: 0.00 against a random order, 0.00 against its own map" in text
    assert "-0.00" not in text and "+0.00" not in text

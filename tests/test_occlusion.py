"""explorer.inspect.occlusion (the app's occlusion, computed in bulk) equals the plain Captum call
for several windows, strides and baselines, follows the model's weights when they change, and
runs a model with hooks as it is."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.attr import Occlusion

from explorer import models
from explorer.inspect import attribution, occlusion, pixel_model
from explorer.saved.model_card import Normalisation


def confident_net(channels: int = 1, size: int = 32) -> torch.nn.Module:
    """A small FastNet whose logits are scaled up: probabilities far from uniform, so covering a
    patch moves them by a lot (an untrained net's drops are ~1e-4)."""
    torch.manual_seed(0)
    body = models.build("fastnet", in_channels=channels, input_size=[size, size], width=8)
    with torch.no_grad():
        body[-1].weight.mul_(40)
    return pixel_model.PixelModel(body, Normalisation((0.4,) * channels, (0.3,) * channels)).eval()


def captum(model, x, target, window, stride, baseline):
    """What a student would write: Captum's Occlusion on the softmax, windows over all channels."""
    (wh, ww), (sh, sw) = attribution.pair(window), attribution.pair(stride)
    c = x.shape[1]
    a = Occlusion(lambda z: F.softmax(model(z), dim=1)).attribute(
        x, sliding_window_shapes=(c, wh, ww), strides=(c, sh, sw), baselines=baseline, target=target,
        perturbations_per_eval=64)
    return a.detach()[0].mean(0).numpy()


@pytest.mark.parametrize("window, stride, baseline", [
    (8, 1, 0.0),  # the slow case of issue 21: every position
    (8, 4, 0.5),
    (6, 5, 0.3),  # a partial window at the far edge
    ((5, 7), (2, 3), 1.0),  # rectangles
    (3, 3, 0.0),
])
def test_equals_captum(window, stride, baseline):
    model = confident_net()
    torch.manual_seed(1)
    x = torch.rand(1, 1, 32, 32)
    target = int(model(x).argmax())
    ours = attribution.attribute(model, x, target, "occlusion", window=window, stride=stride, baseline=baseline,
                                 perturbations_per_eval=100)
    expected = captum(model, x, target, window, stride, baseline)
    assert np.abs(expected).max() > 1e-3  # a map with real drops in it (tolerance 2e-6)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=2e-6)


def test_rgb_equals_captum():
    model = confident_net(channels=3, size=24)
    torch.manual_seed(2)
    x = torch.rand(1, 3, 24, 24)
    ours = attribution.attribute(model, x, 4, "occlusion", window=6, stride=2, baseline=0.2)
    np.testing.assert_allclose(ours, captum(model, x, 4, 6, 2, 0.2), rtol=1e-4, atol=2e-6)


def test_follows_weights_changed_in_place():
    """The fused copy is kept per model; a model whose weights change (e.g. a reload into the same
    object) must not be explained with the old weights."""
    model = confident_net()
    x = torch.rand(1, 1, 32, 32)
    before = attribution.attribute(model, x, 2, "occlusion", window=8, stride=4)
    with torch.no_grad():
        next(model.parameters()).mul_(-1.5)
    after = attribution.attribute(model, x, 2, "occlusion", window=8, stride=4)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, captum(model, x, 2, 8, 4, 0.0), rtol=1e-4, atol=2e-6)


def test_fused_copy_only_where_it_is_the_same_model():
    model = confident_net()
    x = torch.rand(1, 1, 32, 32)
    assert isinstance(occlusion.inference_copy(model, x), torch.jit.ScriptModule)
    assert occlusion.inference_copy(model, x) is occlusion.inference_copy(model, x)  # made once
    handle = model.register_forward_hook(lambda *a: None)
    try:
        assert occlusion.inference_copy(model, x) is model  # a frozen copy would skip the hook
    finally:
        handle.remove()
    assert occlusion.inference_copy(model.train(), x) is model  # batch statistics: run as it is

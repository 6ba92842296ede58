"""explorer.inspect.attribution equals the bare Captum call for every method, leaves no hook behind and
does not grow memory over repeated calls."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.attr import (
    GuidedBackprop,
    GuidedGradCam,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    NoiseTunnel,
    Occlusion,
    Saliency,
)

from explorer import models
from explorer.inspect import attribution, pixel_model
from explorer.learn import geometry
from explorer.saved.model_card import Normalisation


def net(channels: int = 1, size: int = 32) -> torch.nn.Module:
    torch.manual_seed(0)
    body = models.build("fastnet", in_channels=channels, input_size=[size, size], width=8)
    return pixel_model.PixelModel(body, Normalisation((0.4,) * channels, (0.3,) * channels)).eval()


@pytest.fixture(scope="module")
def model():
    return net()


@pytest.fixture(scope="module")
def x():
    torch.manual_seed(1)
    return torch.rand(1, 1, 32, 32)


def bare(model, x, target, method):
    """What a student would write with Captum, reduced like visualize_image_attr (channel sum)."""
    xg = x.clone().requires_grad_(True)
    conv = attribution.last_conv(model)
    if method == "saliency":
        a = Saliency(model).attribute(xg, target=target)
    elif method == "integrated_gradients":
        a = IntegratedGradients(model).attribute(xg, baselines=0.0, target=target, n_steps=50)
    elif method == "smoothgrad":
        torch.manual_seed(0)
        a = NoiseTunnel(Saliency(model)).attribute(xg, nt_type="smoothgrad", nt_samples=20, stdevs=0.15,
                                                   target=target)
    elif method == "guided_backprop":
        a = GuidedBackprop(model).attribute(xg, target=target)
    elif method == "grad_cam":
        cam = LayerGradCam(model, conv).attribute(xg, target=target, relu_attributions=True)
        a = LayerAttribution.interpolate(cam, (32, 32), interpolate_mode="bilinear")
    elif method == "guided_grad_cam":
        a = GuidedGradCam(model, conv).attribute(xg, target=target)
    else:
        probs = lambda z: F.softmax(model(z), dim=1)  # noqa: E731
        a = Occlusion(probs).attribute(x, sliding_window_shapes=(1, 8, 8), strides=(1, 4, 4), baselines=0.0,
                                       target=target, perturbations_per_eval=256)
        return a.detach()[0].mean(0).numpy()
    return a.detach()[0].sum(0).numpy()


@pytest.mark.parametrize("method", list(attribution.METHODS))
def test_equals_bare_captum(model, x, method):
    torch.manual_seed(5)  # wherever the generator stands, SmoothGrad's noise starts from seed 0
    ours = attribution.attribute(model, x, 3, method)
    assert ours.shape == (32, 32) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, bare(model, x, 3, method), rtol=1e-5, atol=1e-7)
    assert np.abs(ours).max() > 0  # a real map, not zeros
    assert attribution.hooks_left(model) == 0


@pytest.mark.parametrize("method", list(attribution.METHODS))
def test_rgb_input_gives_one_map(method):
    m = net(channels=3, size=24)
    x = torch.rand(1, 3, 24, 24)
    out = attribution.attribute(m, x, 0, method, **({"window": 6, "stride": 3} if method == "occlusion" else {}))
    assert out.shape == (24, 24)
    assert attribution.hooks_left(m) == 0


def test_smoothgrad_gives_one_map_for_one_picture_and_leaves_the_generator(model, x):
    """Every laptop of a class, every visit and the page's script show the same SmoothGrad map:
    before, each call drew its noise from wherever torch's generator stood."""
    torch.manual_seed(11)
    first = attribution.attribute(model, x, 3, "smoothgrad", nt_samples=10)
    after_first = torch.rand(4)
    torch.manual_seed(11)
    torch.rand(1000)  # another page's draws in between
    again = attribution.attribute(model, x, 3, "smoothgrad", nt_samples=10, nt_samples_batch_size=3)
    np.testing.assert_allclose(again, first, rtol=1e-5, atol=1e-9)
    torch.manual_seed(11)
    assert torch.equal(after_first, torch.rand(4))  # the call drew nothing from the generator's sequence
    noisier = attribution.attribute(model, x, 3, "smoothgrad", nt_samples=10, stdevs=0.3)
    assert not np.allclose(noisier, first)  # the settings still matter


def test_target_matters(model, x):
    a = attribution.attribute(model, x, 1, "saliency")
    b = attribution.attribute(model, x, 2, "saliency")
    assert not np.allclose(a, b)


def test_grad_cam_defaults_to_last_convolution(model, x):
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    default = attribution.attribute(model, x, 3, "grad_cam")
    np.testing.assert_allclose(default, attribution.attribute(model, x, 3, "grad_cam", layer=convs[-1]))
    first = attribution.attribute(model, x, 3, "grad_cam", layer=convs[0])
    assert not np.allclose(default, first)


def test_occlusion_is_the_drop_in_probability(model, x):
    """Windows that tile the picture without overlap: each pixel's value is exactly
    P(class | picture) - P(class | picture with its window covered)."""
    drop = attribution.attribute(model, x, 3, "occlusion", window=8, stride=8, baseline=0.5)
    with torch.no_grad():
        p0 = F.softmax(model(x), 1)[0, 3].item()
        for r, c in [(0, 0), (8, 16), (24, 24)]:
            covered = x.clone()
            covered[:, :, r:r + 8, c:c + 8] = 0.5
            expected = p0 - F.softmax(model(covered), 1)[0, 3].item()
            np.testing.assert_allclose(drop[r:r + 8, c:c + 8], expected, atol=1e-6)


def test_occlusion_positions_follow_the_output_size_formula(model, x):
    calls = []
    handle = model.register_forward_hook(lambda m, a, o: calls.append(a[0].shape[0]))
    try:
        attribution.attribute(model, x, 3, "occlusion", window=6, stride=5, perturbations_per_eval=7)
    finally:
        handle.remove()
    rows, cols = attribution.occlusion_positions(32, 32, 6, 5)
    # 6 full windows (the Learn pages' formula) and one partial window for the last 1 pixel
    assert attribution.occlusion_axis(32, 6, 5) == (geometry.output_size(32, 6, 5), 1) == (6, 1)
    assert rows == cols == 7
    assert sum(calls) == 1 + rows * cols  # the original picture plus one per position
    assert max(calls) == 7  # batched perturbations_per_eval at a time


def test_windows_that_tile_exactly_need_no_partial_window():
    assert attribution.occlusion_axis(64, 8, 4) == (15, 0)
    assert attribution.occlusion_positions(64, 48, 8, (4, 8)) == (15, 6)


def test_bad_requests_explain_themselves(model, x):
    with pytest.raises(ValueError, match="Unknown attribution method"):
        attribution.attribute(model, x, 0, "lime")
    with pytest.raises(ValueError, match="does not fit"):
        attribution.attribute(model, x, 0, "occlusion", window=40)
    with pytest.raises(ValueError, match="one picture"):
        attribution.attribute(model, torch.rand(2, 1, 32, 32), 0, "saliency")


@pytest.mark.parametrize("method", ["guided_backprop", "guided_grad_cam", "grad_cam"])
def test_hooks_removed_even_when_captum_fails(model, x, method):
    with pytest.raises(Exception):
        attribution.attribute(model, x, 99, method)  # no class 99: fails inside Captum's hooks
    assert attribution.hooks_left(model) == 0


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_memory_flat_over_100_attributions(model, x):
    import tracemalloc

    methods = ["saliency", "guided_backprop", "grad_cam", "guided_grad_cam", "occlusion"]
    for m in methods:  # warm up allocator caches
        attribution.attribute(model, x, 3, m, **({"stride": 8} if m == "occlusion" else {}))
    tracemalloc.start()
    before_py, before_rss = tracemalloc.get_traced_memory()[0], _rss_mb()
    for i in range(100):
        m = methods[i % len(methods)]
        attribution.attribute(model, x, i % 10, m, **({"stride": 8} if m == "occlusion" else {}))
    after_py, after_rss = tracemalloc.get_traced_memory()[0], _rss_mb()
    tracemalloc.stop()
    assert attribution.hooks_left(model) == 0
    assert after_py - before_py < 1_000_000, "Python objects pile up over repeated attributions"
    assert after_rss - before_rss < 50, f"RSS grew {after_rss - before_rss:.1f} MB over 100 attributions"


def test_the_key_patch_is_the_window_on_the_stride_grid_through_the_largest_drop():
    drop = np.zeros((12, 12), np.float32)
    drop[7, 9] = 1.0
    assert attribution.key_patch(drop, window=4, stride=2) == (6, 8)
    drop[:] = 0
    drop[11, 11] = 1.0  # near the edge: the window stays inside the picture
    assert attribution.key_patch(drop, window=4, stride=3) == (8, 8)

"""Feature maps, hooks, receptive fields, top-k activations, the sanity check and heat maps."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from captum.attr._utils.visualization import _normalize_attr
from torch import nn

from explorer import models
from explorer.inspect import attribution, heatmaps, inspection, pixel_model, sanity
from explorer.pictures import map_grid, render
from explorer.saved.model_card import Normalisation


def fastnet(size=32, channels=1):
    torch.manual_seed(0)
    body = models.build("fastnet", in_channels=channels, input_size=[size, size], width=8)
    return pixel_model.PixelModel(body, Normalisation((0.5,) * channels, (0.25,) * channels)).eval()


def test_layers_in_forward_order_with_shapes():
    m = fastnet(32)
    layers = inspection.layers(m, (1, 32, 32))
    assert [l.name for l in layers][:5] == ["0", "1", "2", "4", "5"]  # pool, conv, max-pool, ReLU, conv
    assert {l.kind for l in layers} == {"conv", "activation", "pool"}
    assert layers[1].shape == (8, 16, 16) and layers[1].title.startswith("Conv2d 3x3")


def test_feature_maps_equal_running_the_layers_by_hand():
    m = fastnet(32)
    x = torch.rand(1, 1, 32, 32)
    maps = inspection.feature_maps(m, x, ["1", "2", "4", "8"])
    with torch.no_grad():
        h = (x - 0.5) / 0.25
        for i, layer in enumerate(m.net):
            h = layer(h)
            if str(i) in maps:
                np.testing.assert_allclose(maps[str(i)], h[0].numpy(), rtol=1e-5, atol=1e-6)
    assert maps["4"].min() >= 0  # after a ReLU
    assert attribution.hooks_left(m) == 0


def test_capture_removes_hooks_when_the_block_fails():
    m = fastnet(32)
    with pytest.raises(RuntimeError), inspection.capture(m, ["1", "5"]):
        assert attribution.hooks_left(m) == 2
        m(torch.rand(1, 3, 32, 32))  # wrong channel count
    assert attribution.hooks_left(m) == 0


def test_receptive_field_matches_the_gradient_support():
    """With positive weights, no ReLU and average pools (a max pool passes gradient to one pixel
    only), an output position depends on exactly the pixels of
    its receptive field: the non-zero gradient of that position is the box."""
    net = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.AvgPool2d(2), nn.Conv2d(2, 2, 3, stride=2, padding=1),
                        nn.AvgPool2d(3, stride=1), nn.Conv2d(2, 1, 5, dilation=2, padding=2))
    for p in net.parameters():
        nn.init.uniform_(p, 0.1, 1.0)
    for name in ["0", "2", "3", "4"]:
        geo = inspection.geometry(net, (1, 96, 96), name)
        x = torch.ones(1, 1, 96, 96, requires_grad=True)  # big: the centre field stays inside
        out = net[: int(name) + 1](x)
        i, j = out.shape[2] // 2, out.shape[3] // 2
        out[0, 0, i, j].backward()
        rows, cols = np.nonzero(x.grad[0, 0].numpy())
        assert geo.box(i, j, 96, 96) == (rows.min(), rows.max(), cols.min(), cols.max()), name


def test_receptive_field_after_global_pooling_is_everything():
    m = fastnet(32)
    assert inspection.geometry(m, (1, 32, 32), "16").whole
    assert inspection.geometry(m, (1, 32, 32), "16").box(0, 0, 32, 32) == (0, 31, 0, 31)


def test_top_activations_equal_brute_force():
    m = fastnet(16)
    rng = np.random.default_rng(0)
    images = rng.random((70, 1, 16, 16), dtype=np.float32)
    top = inspection.top_activations(m, images, (1, 16, 16), "7", k=5, batch=16)  # several batches
    with torch.no_grad():
        acts = m.net[:8]((torch.from_numpy(images) - 0.5) / 0.25)  # (N, C, h, w)
    peak = acts.flatten(2).max(2).values.numpy()  # (N, C)
    order = np.argsort(-peak, axis=0, kind="stable")[:5].T  # (C, 5)
    np.testing.assert_allclose(top.values, np.take_along_axis(peak.T, order, 1), rtol=1e-5)
    np.testing.assert_array_equal(top.indices, order)
    c, j = 3, 0
    n = top.indices[c, j]
    r, q = top.positions[c, j]
    assert acts[n, c, r, q].item() == pytest.approx(top.values[c, j], rel=1e-5)
    geo = inspection.geometry(m, (1, 16, 16), "7")
    assert tuple(top.boxes[c, j]) == geo.box(r, q, 16, 16)
    assert attribution.hooks_left(m) == 0


def test_filters_and_their_slices():
    m = fastnet(32)
    names = [n for n, _ in inspection.conv_layers(m)]
    assert names[0] == "1"
    w = inspection.filters(m, names[1])
    assert w.shape == (16, 8, 3, 3)
    np.testing.assert_array_equal(inspection.kernel_tiles(w, 2), w[:, 2])


def test_randomised_copy_leaves_the_model_alone():
    m = fastnet(32)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    r = sanity.randomised_copy(m, seed=1)
    for k, v in m.state_dict().items():
        assert torch.equal(v, before[k])
    assert torch.equal(r.mean, m.mean) and torch.equal(r.std, m.std)  # same input normalisation
    assert not torch.equal(r.net[1].weight, m.net[1].weight)
    x = torch.rand(1, 1, 32, 32)
    assert not torch.allclose(r(x), m(x))
    again = sanity.randomised_copy(m, seed=1)
    assert torch.equal(again.net[1].weight, r.net[1].weight)  # reproducible


def test_a_randomised_copy_made_during_another_sessions_captum_call_gets_none_of_its_hooks():
    """Found by bench/bench_protocol_load.py at 60 students: the Saliency sanity check's copy was
    made while another session's Guided Backprop had its ReLU hooks on the shared model; the copy
    kept them, and a later map of the random model failed with an autograd error."""
    m = fastnet(32)
    relu = next(mod for mod in m.modules() if isinstance(mod, nn.ReLU))
    handle = relu.register_full_backward_hook(lambda mod, grad_in, grad_out: grad_in)  # as Captum's
    try:
        r = sanity.randomised_copy(m, seed=1)
    finally:
        handle.remove()
    assert not any(mod._backward_hooks or mod._forward_hooks or mod._forward_pre_hooks or mod._backward_pre_hooks
                   for mod in r.modules())


def test_similarity_of_maps():
    a = np.random.default_rng(0).random((8, 8))
    assert sanity.similarity(a, 2 * a) == pytest.approx(1.0)
    assert sanity.similarity(a, np.zeros((8, 8))) == 0.0


@pytest.mark.parametrize("sign", list(heatmaps.SIGNS))
@pytest.mark.parametrize("outlier", [0, 2, 10])
def test_normalise_like_captum(sign, outlier):
    a = np.random.default_rng(1).normal(size=(20, 20))
    np.testing.assert_allclose(heatmaps.normalise(a, sign, outlier), _normalize_attr(a, sign, outlier), atol=1e-6)


def test_heat_map_colours_and_overlay():
    img = np.random.default_rng(0).random((1, 6, 6)).astype(np.float32)
    zero = np.zeros((6, 6), np.float32)
    assert heatmaps.normalise(zero).max() == 0
    plain = heatmaps.overlay(img, zero, opacity=1.0)
    assert np.array_equal(plain[..., 0], (img[0] * 255 + 0.5).astype(np.uint8))  # nothing to show
    full = np.ones((6, 6), np.float32)
    assert (heatmaps.overlay(img, full, 1.0) == heatmaps.colour(full)).all()  # all colour
    neg = heatmaps.colour(full, "negative")
    assert neg[0, 0, 2] > neg[0, 0, 0]  # blue for 'negative'


def test_map_grids():
    tiles = map_grid.coloured(np.random.default_rng(0).normal(size=(5, 4, 4)))
    assert tiles.shape == (5, 4, 4, 3) and tiles.dtype == np.uint8
    assert render.tile(tiles, 3, scale=2, pad=1).shape == (2 * 9 + 1, 3 * 9 + 1, 3)
    assert map_grid.selected_index({"selection": {"pick": [{"index": 4}]}}, "pick") == 4  # session state
    assert map_grid.selected_index({"selection": {"pick": []}}, "pick") is None
    assert map_grid.selected_index(None, "pick") is None
    chart = map_grid.clickable(tiles, 3, "pick").to_dict()
    assert len(chart["datasets"][next(iter(chart["datasets"]))]) == 5


def test_pixel_model_normalises_inside_and_prepares_photos_like_the_dataset():
    from PIL import Image

    torch.manual_seed(0)
    net = models.build("fastnet", in_channels=1, input_size=[32, 32], width=8).eval()
    model = pixel_model.wrap(net, Normalisation((0.4,), (0.2,)))
    x = torch.rand(3, 1, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), net((x - 0.4) / 0.2), rtol=1e-4, atol=1e-5)
    photo = Image.new("RGB", (120, 90), (200, 40, 40))
    arr = pixel_model.prepare(photo, (1, 32, 32))
    assert arr.shape == (1, 32, 32) and arr.dtype == np.float32
    np.testing.assert_allclose(arr, np.asarray(photo.convert("L").resize((32, 32)), np.float32)[None] / 255, atol=1e-6)
    probs = pixel_model.probabilities(model, np.stack([arr, arr]))
    assert probs.shape == (2, 10) and np.allclose(probs.sum(1), 1, atol=1e-5)

"""explorer.learn.convolution, pooling and geometry against torch.nn.functional: property tests on random shapes and settings."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from explorer.learn import convolution, geometry, pooling

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
pair = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))


def torch_conv(x: np.ndarray, w: np.ndarray, **kw) -> np.ndarray:
    """Reference: F.conv2d on float64 with the contract's shapes mapped to (N, C, H, W)."""
    xt = torch.from_numpy(x if x.ndim == 3 else x[None])[None]
    wt = torch.from_numpy({2: w[None, None], 3: w[None], 4: w}[w.ndim])
    out = F.conv2d(xt, wt, **kw)[0]
    return out.numpy() if w.ndim == 4 else out[0].numpy()


@st.composite
def conv_case(draw, layouts=("2d", "3d", "4d")):
    """A random input, filter bank and settings that give a non-empty output; layouts: the
    input/filter layouts to draw from (drawn, not filtered: Hypothesis fails a test whose
    inputs it mostly throws away)."""
    layout = draw(st.sampled_from(layouts))
    c = 1 if layout == "2d" else draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 14)), draw(st.integers(1, 14))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    pads = st.one_of(st.integers(0, 3), st.tuples(st.integers(0, 3), st.integers(0, 3)))
    stride, padding, dilation = draw(pair), draw(pads), draw(pair)
    s, p, d = (v if isinstance(v, tuple) else (v, v) for v in (stride, padding, dilation))
    assume(h + 2 * p[0] >= d[0] * (kh - 1) + 1 and w + 2 * p[1] >= d[1] * (kw - 1) + 1)
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    x = rng.standard_normal((h, w) if layout == "2d" else (c, h, w))
    shape = {"2d": (kh, kw), "3d": (c, kh, kw), "4d": (draw(st.integers(1, 4)), c, kh, kw)}[layout]
    return x, rng.standard_normal(shape), stride, padding, dilation


@SETTINGS
@given(case=conv_case(), method=st.sampled_from(["auto", "direct", "fft"]))
def test_conv2d_equals_torch(case, method):
    x, w, stride, padding, dilation = case
    ours = convolution.conv2d(x, w, stride, padding, dilation, method=method)
    ref = torch_conv(x, w, stride=stride, padding=padding, dilation=dilation)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=1e-5, rtol=0)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@SETTINGS
@given(case=conv_case(), method=st.sampled_from(["direct", "fft"]))
def test_same_padding_equals_torch(case, method):
    x, w, _, _, dilation = case
    ours = convolution.conv2d(x, w, 1, "same", dilation, method=method)
    ref = torch_conv(x, w, padding="same", dilation=dilation)
    assert ours.shape == ref.shape
    assert ours.shape[-2:] == x.shape[-2:]
    np.testing.assert_allclose(ours, ref, atol=1e-5, rtol=0)


@SETTINGS
@given(case=conv_case())
def test_per_channel_maps_add_up_to_the_convolution(case):
    x, w, stride, padding, dilation = case
    maps = convolution.conv2d_per_channel(x, w, stride, padding, dilation)
    np.testing.assert_allclose(maps.sum(axis=-3), convolution.conv2d(x, w, stride, padding, dilation), atol=1e-9)


def test_float32_photo_with_large_kernel_matches_torch_float64():
    """The page's path: a float32 photo, an 11x11 kernel (the FFT), within float32 accuracy."""
    rng = np.random.default_rng(1)
    x = rng.random((3, 96, 80)).astype(np.float32)
    w = rng.standard_normal((3, 11, 11)).astype(np.float32)
    ours = convolution.conv2d(x, w, 1, 5)
    assert ours.dtype == np.float32
    ref = torch_conv(x.astype(np.float64), w.astype(np.float64), padding=5)
    np.testing.assert_allclose(ours, ref, atol=2e-4 * np.abs(ref).max())


@SETTINGS
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 5), p=st.integers(0, 4), d=st.integers(1, 4))
def test_output_size_follows_torch_or_explains(n, k, s, p, d):
    if n + 2 * p < d * (k - 1) + 1:
        with pytest.raises(ValueError, match="empty"):
            geometry.output_size(n, k, s, p, d)
        return
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
    assert geometry.output_size(n, k, s, p, d) == out.shape[-1]


def test_course_example_drops_the_last_row():
    """7x7 input, 3x3 kernel, stride 3: two windows fit, the 7th row is never covered."""
    f = geometry.fit(7, 3, 3)
    assert (f.size, f.used, f.dropped) == (2, 6, 1)
    assert geometry.fit(7, 3, 2).dropped == 0


@st.composite
def pool_case(draw):
    c = draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 13)), draw(st.integers(1, 13))
    k = draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.integers(1, 4)))
    padding = draw(st.integers(0, k // 2))
    assume(h + 2 * padding >= k and w + 2 * padding >= k)
    x = np.random.default_rng(draw(st.integers(0, 2**31))).standard_normal((c, h, w))
    return x, k, stride, padding


@SETTINGS
@given(case=pool_case(), mode=st.sampled_from(pooling.POOL_MODES))
def test_pool2d_equals_torch(case, mode):
    x, k, stride, padding = case
    xt = torch.from_numpy(x)[None]
    if mode == "max":
        ref = F.max_pool2d(xt, k, stride, padding)
    else:
        ref = F.avg_pool2d(xt, k, stride, padding) * (k * k if mode == "sum" else 1)
    ours = pooling.pool2d(x, k, stride, mode, padding)
    np.testing.assert_allclose(ours, ref[0].numpy(), atol=1e-5, rtol=0)
    np.testing.assert_allclose(pooling.pool2d(x[0], k, stride, mode, padding), ref[0, 0].numpy(), atol=1e-5, rtol=0)


@SETTINGS
@given(case=pool_case())
def test_pool_argmax_equals_torch_indices(case):
    x, k, stride, padding = case
    _, idx = F.max_pool2d(torch.from_numpy(x)[None], k, stride, padding, return_indices=True)
    np.testing.assert_array_equal(pooling.pool_argmax(x, k, stride, padding), idx[0].numpy())


@SETTINGS
@given(case=conv_case(layouts=("2d",)))
def test_receptive_field_holds_exactly_the_inputs_of_a_cell(case):
    x, w, stride, padding, dilation = case
    out = convolution.conv2d(x, w, stride, padding, dilation)
    p = padding if isinstance(padding, tuple) else (padding, padding)
    d = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    xp = np.pad(x, ((p[0], p[0]), (p[1], p[1])))
    i, j = out.shape[0] - 1, out.shape[1] - 1
    (r0, r1), (c0, c1) = geometry.receptive_field(i, j, w.shape, stride, p, dilation)
    window = xp[r0 + p[0]: r1 + p[0] + 1: d[0], c0 + p[1]: c1 + p[1] + 1: d[1]]
    assert window.shape == w.shape
    assert np.isclose((window * w).sum(), out[i, j])


def test_mistakes_get_sentences():
    with pytest.raises(ValueError, match="channel"):
        convolution.conv2d(np.zeros((3, 5, 5)), np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match="stride 1"):
        convolution.conv2d(np.zeros((5, 5)), np.zeros((3, 3)), stride=2, padding="same")
    with pytest.raises(ValueError, match="half the window size"):
        pooling.pool2d(np.zeros((5, 5)), 2, padding=2)
    with pytest.raises(ValueError, match="does not fit in 2 pixels"):
        convolution.conv2d(np.zeros((2, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="mode"):
        pooling.pool2d(np.zeros((4, 4)), 2, mode="median")


def test_relu_zeroes_negatives_only():
    np.testing.assert_array_equal(convolution.relu(np.array([-2.0, 0.0, 3.5])), [0.0, 0.0, 3.5])

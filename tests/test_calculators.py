"""Calculators: the course's numbers and hand-computed cases."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from explorer.learn import calculators as calc


def test_inception_bottleneck_course_example():
    b = calc.bottleneck(28, 28, 192, kernel=5, filters=32, reduce=16)
    assert b.direct == 120_422_400  # 28*28*32 * 5*5*192: "120 million"
    assert b.reduce_step == 2_408_448 and b.conv_step == 10_035_200
    assert b.with_reduction == 12_443_648  # "12.4 million", about ten times fewer
    assert round(b.saving, 1) == 9.7


def test_dense_vs_conv_matches_torch_layers():
    r = calc.dense_vs_conv(64, 64, 1, units=512, filters=32, kernel=3)
    dense, conv = nn.Linear(64 * 64, 512), nn.Conv2d(1, 32, 3)
    assert r.dense_params == sum(p.numel() for p in dense.parameters()) == 2_097_664
    assert r.conv_params == sum(p.numel() for p in conv.parameters()) == 320
    assert r.conv_out == tuple(conv(torch.zeros(1, 1, 64, 64)).shape[1:])
    assert r.conv_macs == 62 * 62 * 32 * 9 and r.ratio > 6000


@pytest.mark.parametrize("n,rf", [(1, 3), (2, 5), (3, 7), (4, 9)])
def test_stacked_3x3_fields(n, rf):
    assert calc.receptive_field([calc.Layer1D(3)] * n)[-1].rf == rf


def test_stride_and_dilation():
    rows = calc.receptive_field([calc.Layer1D(3, 2), calc.Layer1D(3, 1), calc.Layer1D(3, 1, 2)])
    # 3; then +2 * jump 2 = 7; then + 2*(3-1) * 2 = 15
    assert [r.rf for r in rows] == [3, 7, 15] and [r.jump for r in rows] == [2, 2, 2]
    assert calc.seen_pixels([calc.Layer1D(3, 1, 2)]) == [0, 2, 4]  # a gap every other pixel
    assert calc.seen_pixels([calc.Layer1D(3), calc.Layer1D(3, 1, 2)]) == list(range(7))
    with pytest.raises(ValueError):
        calc.receptive_field([calc.Layer1D(0)])


def test_field_agrees_with_torch_gradients():
    """The input pixels with a non-zero gradient for one output unit are seen_pixels."""
    layers = [calc.Layer1D(3, 2), calc.Layer1D(2, 1, 3), calc.Layer1D(3)]
    net = nn.Sequential(*[nn.Conv1d(1, 1, l.kernel, l.stride, dilation=l.dilation, bias=False) for l in layers])
    for conv in net:
        nn.init.constant_(conv.weight, 1.0)
    x = torch.zeros(1, 1, 60, requires_grad=True)
    net(x)[0, 0, 0].backward()
    touched = torch.nonzero(x.grad[0, 0]).flatten().tolist()
    assert touched == calc.seen_pixels(layers)
    assert touched[-1] + 1 == calc.receptive_field(layers)[-1].rf


def test_conv_out():
    assert calc.conv_out(224, 11, 4, 2) == 55 and calc.conv_out(2, 3) == 0


def test_dense_vs_conv_chart_shows_the_ratio_to_scale():
    """Issue #14: on a log scale 2,097,664 against 320 parameters looked 2.5 times apart; the
    chart is linear now and its title says 6,554 times."""
    from explorer.learn import calculator_charts

    r = calc.dense_vs_conv(64, 64, 1, units=512, filters=32, kernel=3)
    spec = calculator_charts.dense_vs_conv(r, "dense", "conv").to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"].get("type", "linear") == "linear" and x["scale"]["domain"][0] == 0
    assert x["scale"]["domain"][1] > r.dense_params  # the label after the longest bar fits
    assert f"{r.dense_params / r.conv_params:,.0f} times fewer" in spec["title"]

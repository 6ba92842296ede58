"""The volumes picture: which boxes it draws and that it is a real image."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import models
from explorer.learn import volumes


def summary_of(name: str, shape=None):
    with torch.device("meta"):
        model = models.build(name, **({"in_channels": shape[0], "input_size": shape[1:]} if shape else {}))
    return models.summary(model, shape or models.info(name).input_size)


def test_vgg16_boxes_shrink_and_deepen_then_dense_bars():
    vols = volumes.volumes(summary_of("vgg16"))
    boxes = [v.shape for v in vols if len(v.shape) == 3]
    assert boxes[0] == (3, 224, 224) and boxes[-1] == (512, 7, 7)
    assert [v.shape for v in vols if len(v.shape) == 1] == [(4096,), (4096,), (1000,)]
    assert vols[1].label == "2 conv"  # the two 64-channel convolutions share one box
    sides = [b[1] for b in boxes]
    assert sides == sorted(sides, reverse=True)


def test_googlenet_draws_each_inception_module_as_one_box():
    labels = [v.label for v in volumes.volumes(summary_of("googlenet"))]
    assert [l for l in labels if l.startswith("inception")] == [
        "inception3a", "inception3b", "inception4a", "inception4b", "inception4c",
        "inception4d", "inception4e", "inception5a", "inception5b"]


def test_picture_is_an_rgb_image_wider_for_deeper_nets():
    small = volumes.draw(summary_of("lenet5"))
    large = volumes.draw(summary_of("vgg19"))
    assert small.dtype == np.uint8 and small.shape[2] == 3 and small.shape[0] == large.shape[0]
    assert large.shape[1] > small.shape[1]
    assert (small < 250).any()  # something is drawn on the white canvas


@pytest.mark.parametrize("name", models.names())
@settings(max_examples=6, deadline=None)
@given(side=st.integers(1, 300), channels=st.integers(1, 4))
def test_any_input_either_works_or_is_explained(name, side, channels):
    """Whatever a student types, the page gets a summary or an InputTooSmall, never a crash."""
    if name == "inception3a":
        channels = 192
    try:
        s = summary_of(name, (channels, side, side))
    except models.InputTooSmall as error:
        assert "too small" in str(error)
        return
    assert s.total_params > 0 and volumes.draw(s).ndim == 3


def test_labels_are_legible_and_never_overlap():
    """Issue #14: 11-13 px labels, and neighbours overlapping on deep networks."""
    from PIL import Image, ImageDraw

    from explorer.models.summary import summary

    s = summary(models.build("vgg16"), (3, 224, 224))
    vols = volumes.volumes(s)
    img = volumes.draw(s)
    pen = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    widest = max(pen.textlength(v.label, font=volumes._font(15)) for v in vols)
    assert img.shape[1] >= len(vols) * widest  # every column has room for its label

"""The layer-by-layer builder: shapes, parameter counts and messages for layers that do not fit."""

from __future__ import annotations

import pytest
import torch

from explorer.models import builder


def test_default_spec_builds_and_shapes_match_a_forward_pass():
    rows = builder.shapes(builder.DEFAULT, [1, 64, 64], 10)
    net = builder.build(builder.DEFAULT, [1, 64, 64], 10)
    assert rows[-1].shape == (10,) and rows[-1].label.startswith("output")
    x = torch.rand(2, 1, 64, 64)
    out = x
    for module in net:  # every reported shape is the real one
        out = module(out)
    assert tuple(out.shape) == (2, 10)
    assert sum(r.params for r in rows) == sum(p.numel() for p in net.parameters())
    relus = [m for m in net.modules() if isinstance(m, torch.nn.ReLU)]
    assert relus and all(not r.inplace for r in relus) and len(set(map(id, relus))) == len(relus)


def test_conv_shapes_with_stride_and_padding():
    rows = builder.shapes([{"type": "conv", "channels": 6, "kernel": 5, "stride": 2, "padding": 1}], [3, 32, 32], 4)
    assert rows[0].shape == (6, 15, 15) and rows[0].params == 6 * (3 * 25 + 1)


@pytest.mark.parametrize("layers,words", [
    ([{"type": "maxpool", "size": 4}, {"type": "maxpool", "size": 4}], ["Layer 2", "2x2", "4x4"]),
    ([{"type": "conv", "channels": 4, "kernel": 11}], ["Layer 1", "11x11", "8x8"]),
    ([{"type": "dense", "units": 10}, {"type": "conv", "channels": 4}], ["Layer 2", "flat list of 10"]),
    ([{"type": "conv", "channels": 0}], ["channels", "from 1"]),
    ([{"type": "dropout", "p": 1.5}], ["dropout probability"]),
    ([{"type": "magic"}], ["unknown type"]),
])
def test_layers_that_do_not_fit_are_named_with_numbers(layers, words):
    with pytest.raises(builder.LayerError) as err:
        builder.shapes(layers, [1, 8, 8], 10)
    for w in words:
        assert w in str(err.value)


def test_too_many_parameters_is_refused_before_building():
    with pytest.raises(builder.LayerError, match="parameters"):
        builder.build([{"type": "dense", "units": 2048}, {"type": "dense", "units": 2048},
                       {"type": "dense", "units": 2048}], [3, 64, 64], 10)


def test_the_editor_shows_empty_cells_where_a_setting_does_not_apply():
    """Issue #14: number cells drew Python's "None" wherever a layer has no such setting (a ReLU's
    stride, every dropout cell of a conv); the editor's text cells are empty there instead."""
    from explorer.ui.train_settings import LAYER_COLUMNS, _rows, layers_from_rows

    table = _rows(builder.DEFAULT)
    cells = [table.at[i, c] for i in table.index for c in LAYER_COLUMNS[1:]]
    assert all(isinstance(c, str) and c != "None" for c in cells)
    assert table.at[1, "stride"] == "" and table.at[0, "channels / units"] == "16"  # batchnorm, conv
    assert layers_from_rows(table) == builder.DEFAULT  # what the student sees builds the same network


def test_text_that_is_no_number_is_named_with_its_layer():
    from explorer.ui.train_settings import _rows, layers_from_rows

    table = _rows(builder.DEFAULT)
    table.at[0, "stride"] = "two"
    table.at[4, "kernel / window"] = " 5 "  # spaces around a number are fine
    layers = layers_from_rows(table)
    assert layers[4]["kernel"] == 5
    with pytest.raises(builder.LayerError, match=r"Layer 1 \(conv\): stride must be a whole number .* not 'two'"):
        builder.shapes(layers, (1, 64, 64), 10)

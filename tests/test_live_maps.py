"""The table a live view redraws from (issue 21): every setting one slider move away, with the
sizes of THE output-size function and the pages' own explanations of impossible settings."""

from __future__ import annotations

import numpy as np

from explorer.learn import formula, geometry, live_maps, pool_windows

CONTROLS = (live_maps.Control("convolution_size", "size", tuple(range(1, 12)), 3),
            live_maps.Control("convolution_stride", "stride", (1, 2, 3, 4, 5), 1),
            live_maps.Control("convolution_padding", "padding", ("valid", 0, 1, 2, 3, 4, 5, "same"), 0, by_index=True),
            live_maps.Control("convolution_dilation", "dilation", (1, 2, 3, 4), 1))


def test_the_table_covers_every_single_slider_move_with_the_formula_sizes():
    table = live_maps.conv_table(9, 12, CONTROLS, {})
    assert len(table) == 1 + 10 + 4 + 7 + 3  # now, and each slider's other values
    assert table["3|2|0|1"] == {"h": geometry.output_size(9, 3, 2), "w": geometry.output_size(12, 3, 2),
                                "pads": [0, 0, 0, 0]}
    assert table["3|1|same|1"]["pads"] == [1, 1, 1, 1] and table["3|1|same|1"]["h"] == 9
    assert "3|2|same|1" not in table  # two sliders away: a drag moves one


def test_impossible_settings_carry_the_pages_sentence():
    table = live_maps.conv_table(9, 12, CONTROLS, {})
    ax_h, _ = formula.axes((9, 12), (11, 11), 1, 0, 1)
    assert table["11|1|0|1"] == {"error": ax_h.error}  # too wide for 9 rows
    same = live_maps.conv_entry(9, 12, 3, 2, "same", 1)
    assert "only with stride 1" in same["error"]
    pool = live_maps.pool_entry(8, 8, 2, 2, 2)
    assert pool == {"error": pool_windows.pool_size(8, 8, 2, 2, 2).problem}
    assert "at most half the window size" in pool["error"]


def test_the_wire_format_round_trips():
    planes = np.random.default_rng(0).normal(size=(3, 5, 7)).astype(np.float32)
    live = live_maps.Live("pool", "picture", planes, CONTROLS[:2], {"a": {"h": 1}}, "box", {"mode": "max"})
    header, back = live_maps.unpack(live_maps.pack(live))
    np.testing.assert_array_equal(back, planes)
    assert header["shape"] == [3, 5, 7] and header["style"] == {"mode": "max"} and header["target"] == "box"
    assert header["controls"][0]["options"] == list(range(1, 12))


def test_the_planes_travel_deflated():
    """A drawing's feature map (mostly zeros, a few values) is sent in a few KB, not the 262 KB of
    its float32 planes, and arrives exactly (issue 16: the live view rode along with every change
    of every student)."""
    rng = np.random.default_rng(0)
    planes = np.zeros((1, 256, 256), np.float32)
    planes[0, 40:200:3, 60:190] = rng.choice([1.5, 3.29], size=(54, 130)).astype(np.float32)
    live = live_maps.Live("pool", "picture", planes, CONTROLS[:2], {"a": {"h": 1}}, "box", {"mode": "max"})
    packed = live_maps.pack(live)
    assert len(packed) < planes.nbytes / 10
    header, back = live_maps.unpack(packed)
    assert header["encoding"] == "deflate"
    np.testing.assert_array_equal(back, planes)

"""Issue #14, item 7: thumbnail grids frame only the picture shown, keep every cell inside the
chart, and first-layer filters get visible gaps."""

from __future__ import annotations

import numpy as np

from explorer.pictures import map_grid, render


def test_nothing_is_framed_before_a_click_and_the_shown_tile_is():
    tiles = np.zeros((10, 8, 8, 3), np.uint8)
    for shown, framed in ((None, []), (3, [3])):
        spec = map_grid.clickable(tiles, 4, "pick", cell=40, shown=shown).to_dict()
        data = spec["datasets"][next(iter(spec["datasets"]))]
        frame = spec["layer"][1]
        assert frame["transform"] == [{"filter": "datum.shown"}]
        assert [r["index"] for r in data if r["shown"]] == framed


def test_every_cell_lies_inside_the_chart():
    tiles = np.zeros((10, 8, 8, 3), np.uint8)
    cell = 40
    spec = map_grid.clickable(tiles, 4, "pick", cell=cell).to_dict()
    data = spec["datasets"][next(iter(spec["datasets"]))]
    width, height = spec["width"], spec["height"]
    side = spec["layer"][0]["mark"]["width"]
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, width]
    for r in data:  # each picture (centred at x, y) fits in the chart with room to spare
        assert side / 2 <= r["x"] <= width - side / 2 and side / 2 <= r["y"] <= height - side / 2
    assert side < cell  # a gap between neighbours


def test_filter_mosaic_has_gaps_between_tiles():
    tiles = np.full((8, 3, 3, 3), 255, np.uint8)  # white filters: the gap must not be white
    img = render.tile(tiles, 4, 10, pad=5, background=150)
    assert img.shape == (2 * 35 + 5, 4 * 35 + 5, 3)
    assert (img[:, 35:40] == 150).all() and (img[5:35, 5:35] == 255).all()  # a grey column between the first two tiles

"""A change on an Inspect page redraws the page's part below its introduction, not the sidebar,
and a closed "Show the code" sends nothing inside (issue 16: 60 students on one CPU-bound
server, where every element a run draws costs it about a third of a millisecond). Driven over
Streamlit's own protocol against a real server with a saved model (bench/protocol_client: the
widget's fragment id is sent as the browser sends it)."""

from __future__ import annotations

import pytest

from bench.bench_protocol_load import STEPS
from bench.protocol_client import Session
from tests.event_loops import in_own_loop
from tests.inspect_helpers import model_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with model_server(tmp_path_factory.mktemp("inspect-fragments-data"), "fragments test net", epochs=1) as url:
        yield url


async def walk(url: str, page: str):
    """Open the page and make the class bench's change on it (bench_protocol_load.STEPS)."""
    step = next(s for s in STEPS if s.page == page)
    s = Session(url)
    try:
        opened = await s.connect(page)
        widget = s.widget(step.label)
        changed = await s.set(step.label, step.choose(s, widget))
        return opened, widget, changed
    finally:
        await s.close()


@pytest.mark.parametrize("page", ["occlusion", "saliency", "max_activations", "filters"])
def test_a_change_redraws_the_page_not_the_sidebar(server, page):
    opened, widget, changed = in_own_loop(walk(server, page))
    assert not opened.errors and not changed.errors, (opened.errors, changed.errors)
    assert widget.fragment_id, "the setting lives in the page's fragment: its rerun must name it"
    assert "page_link" in opened.elements and "page_link" not in changed.elements, \
        "the sidebar's menu is not sent again for a change on the page"
    assert "imgs" in changed.elements, "the page's pictures are drawn again"
    assert "download_button" not in opened.elements + changed.elements, "the closed code panel sends nothing"


def test_saliency_draws_each_methods_maps_in_one_column(server):
    """Two grids (the trained model, the sanity check) of six methods: a row of titles and one
    row of six columns each; three rows of columns per grid before (14 more containers each)."""
    _, _, changed = in_own_loop(walk(server, "saliency"))
    assert changed.elements.count("imgs") == 1 + 2 * 2 * 6  # the input, (heat map, overlay) x 6 x 2
    per_row = 1 + 6  # the row and its columns
    assert changed.blocks <= 2 * 2 * per_row + 20, changed.blocks  # 2 x 4 rows and ~25 others before


def test_another_epoch_redraws_the_filters_not_the_feature_maps(server):
    """The epoch changes the first layer's filters only: the feature-map grids below (a clickable
    chart of pictures per layer, ~0.4 MB per run before) are not built or sent again."""
    opened, _, changed = in_own_loop(walk(server, "filters"))
    assert not changed.errors
    assert opened.elements.count("vega_lite_chart") >= 3  # the grids are on the page
    assert "vega_lite_chart" not in changed.elements
    assert any(t.endswith(" filters of 3x3.") or " filters of " in t for t in changed.texts)
    assert changed.ws_bytes < 60 * 1024, changed.ws_bytes

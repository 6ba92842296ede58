"""A change on a Learn page redraws what depends on it and nothing else (issue 16: 60 students
on one server). Driven over Streamlit's own protocol against a real server (bench/protocol_client:
the widget's fragment id is sent as the browser sends it), so a full-page rerun, which redraws the
sidebar's menu and every section again for every student, shows up as elements drawn."""

from __future__ import annotations

import io
import urllib.request

import numpy as np
import pytest
from PIL import Image

from bench.protocol_client import Session
from explorer import models
from explorer.learn import volumes
from explorer.ui import zoo
from tests.browser.conftest import start_server, stop_server
from tests.event_loops import in_own_loop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("fragments-data"))
    yield url
    stop_server(proc)


async def walk(url: str, page: str, label: str, value):
    s = Session(url)
    try:
        opened = await s.connect(page)
        widget = s.widget(label)
        changed = await s.set(label, value)
        return opened, widget, changed
    finally:
        await s.close()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def caption(run, start: str) -> str:
    return next(t for t in run.texts if t.startswith(start))


def test_changing_the_pooling_kind_redraws_the_pooling_not_the_page(server):
    opened, kind, changed = in_own_loop(walk(server, "pooling", "Kind", "Average"))
    assert not opened.errors and not changed.errors
    assert kind.fragment_id, "the kind lives in the page's fragment: its rerun must name it"
    assert "drawn at the same width" in caption(opened, "Max pooled")
    assert caption(changed, "Average pooled"), "the pooled picture is redrawn as average pooling"
    assert not any(t.startswith("Max pooled") for t in changed.texts)
    # The map that is pooled does not depend on the kind: the same 256x256 PNG as before (section
    # 1's 128-pixel preview of the picture is the same file too).
    same = [fetch(server + u) for u in opened.media if u in changed.media]
    sizes = {Image.open(io.BytesIO(b), formats=["PNG"]).size for b in same if b[:8] == b"\x89PNG\r\n\x1a\n"}
    assert (256, 256) in sizes and (128, 128) in sizes, sizes
    assert "page_link" in opened.elements and "page_link" not in changed.elements, \
        "the sidebar's menu is not sent again for a change of kind"
    assert len(changed.elements) < len(opened.elements)


def test_changing_the_1d_example_leaves_the_note_on_flipping(server):
    opened, example, changed = in_own_loop(walk(server, "convolution_1d", "Example", "two Gaussians"))
    assert not opened.errors and not changed.errors and example.fragment_id
    assert "vega_lite_chart" in changed.elements, "the example's charts are redrawn"
    assert any(t.startswith("Two bell curves") for t in changed.texts)
    flip = "**A CNN layer does not flip its kernel.**"
    assert any(t.startswith(flip) for t in opened.texts)
    assert not any(t.startswith(flip) for t in changed.texts), "the note does not depend on the example"
    assert "page_link" not in changed.elements


def test_changing_the_architecture_redraws_it_not_the_calculators(server):
    opened, choice, changed = in_own_loop(walk(server, "architectures", "Architecture", "vgg16"))
    assert not opened.errors and not changed.errors and choice.fragment_id
    assert any("VGG-16" in t for t in changed.texts)
    dense = "A dense layer connects all"
    assert any(t.startswith(dense) for t in opened.texts)
    assert not any(t.startswith(dense) for t in changed.texts), "the calculators do not depend on it"
    assert "page_link" not in changed.elements
    # VGG-16's volumes picture arrives as the class store holds it (not decoded, scaled and
    # encoded again by st.image on every run)...
    c, side, _ = models.info("vgg16").input_size
    stored = zoo.picture("vgg16", c, side, zoo.default_classes("vgg16"))
    served = [fetch(server + u) for u in changed.media]
    assert stored in served


def test_a_wide_volumes_picture_is_stored_as_st_image_would_draw_it():
    """... and shows the pixels st.image drew before: the drawing scaled to its widest picture."""
    c, side, _ = models.info("vgg16").input_size
    classes = zoo.default_classes("vgg16")
    drawing = volumes.draw(zoo.summary("vgg16", c, side, classes))
    stored = Image.open(io.BytesIO(zoo.picture("vgg16", c, side, classes)))
    assert drawing.shape[1] > zoo.MAXIMUM_CONTENT_WIDTH  # a picture st.image scales down
    assert stored.width == zoo.MAXIMUM_CONTENT_WIDTH
    height = int(1.0 * drawing.shape[0] * zoo.MAXIMUM_CONTENT_WIDTH / drawing.shape[1])
    expected = Image.fromarray(drawing).resize((zoo.MAXIMUM_CONTENT_WIDTH, height), resample=Image.BILINEAR)
    assert np.array_equal(np.asarray(stored.convert("RGB")), np.asarray(expected))


@pytest.mark.parametrize("page, label, value, most_kb", [("pooling", "Kind", "Average", 150),
                                                        ("convolution", "Stride", 2, 80)])
def test_a_learn_change_sends_its_live_view_deflated(server, page, label, value, most_kb):
    """The live view that follows a dragged slider rides along with every change: its planes
    (a 256x256 float32 map, 262 KB) are sent deflated, and packed once for the class. Before:
    351 KB over the websocket for a change of the pooling kind, 297 KB for a stride."""
    _, _, changed = in_own_loop(walk(server, page, label, value))
    assert not changed.errors
    assert "bidi_component" in changed.elements, "the live view is still there"
    assert changed.ws_bytes < most_kb * 1024, changed.ws_bytes

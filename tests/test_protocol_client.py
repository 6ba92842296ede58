"""The protocol-level load test's client really drives the app (bench/bench_protocol_load.py):
without this, the bench could time empty runs and report a fast server that nobody saw."""

from __future__ import annotations

import re
import urllib.request

import pytest

from bench.protocol_client import Session
from tests.browser.conftest import start_server, stop_server
from tests.event_loops import in_own_loop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("protocol-data"))
    yield url
    stop_server(proc)


def output_size(run) -> tuple[int, int]:
    sizes = [re.match(r"Output (\d+)x(\d+)", t) for t in run.texts]
    return next(tuple(map(int, m.groups())) for m in sizes if m)


async def stride_walk(url: str):
    s = Session(url)
    try:
        opened = await s.connect("convolution")
        stride = s.widget("Stride")
        moved = await s.set("Stride", 2)
        return opened, stride, moved
    finally:
        await s.close()


def test_moving_the_stride_over_the_protocol_redraws_a_smaller_output(server):
    opened, stride, moved = in_own_loop(stride_walk(server))
    assert not opened.errors and not moved.errors
    assert stride.fragment_id, "the stride lives in the page's fragment: its rerun must name it"
    (h1, w1), (h2, w2) = output_size(opened), output_size(moved)
    assert (h2, w2) == ((h1 - 1) // 2 + 1, (w1 - 1) // 2 + 1)  # stride 2 of a 'same'-free kernel walk
    assert moved.media and set(moved.media).isdisjoint(opened.media), "a new output picture"
    assert moved.media_bytes > 1000  # the pictures were really fetched from /media/
    with urllib.request.urlopen(server + moved.media[0]) as r:
        assert r.headers["Content-Type"].startswith("image/")


async def two_students(url: str):
    a, b = Session(url), Session(url)
    try:
        await a.connect("convolution")
        await b.connect("convolution")
        await a.set("Stride", 3)
        return output_size(await b.set("Size", 5)), output_size(a.run)
    finally:
        await a.close()
        await b.close()


def test_each_simulated_student_has_a_session_of_its_own(server):
    b_size, a_size = in_own_loop(two_students(server))
    assert b_size != a_size, "student b changed the kernel size, not a's stride: their outputs differ"

"""What the Learn pages share across the class is drawn the same and computed once (issue 16):
a shared chart's own rows travel as an Arrow dataset (st.vega_lite_chart converts inline rows
through pandas on every call), the Architectures page's receptive-field chart and the Pooling
page's grids come from the class's store, and the pooled map is hashed once per map."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from explorer.inspect.shared_results import fingerprint
from explorer.learn import grid_charts
from explorer.ui import cached, pooling_settings, shared_charts
from tests.page_helpers import open_page


def rows(arrow: bytes) -> list[dict]:
    return pa.ipc.open_stream(arrow).read_all().to_pylist()


def test_a_shared_charts_own_rows_are_sent_as_the_same_rows_in_arrow():
    spec = grid_charts.grid(np.array([[0.0, 1.5], [-2.0, 3.0]]), strong=np.eye(2, dtype=bool))
    sent = shared_charts.as_sent(spec)
    assert "values" not in sent["data"], "no inline rows left for st.vega_lite_chart to convert"
    assert rows(sent["datasets"][sent["data"]["name"]]) == spec["data"]["values"]
    assert sent["layer"] == spec["layer"] and sent["width"] == spec["width"]  # the same chart
    assert "values" in spec["data"], "the built spec itself is left as it was"


def field_chart(at):
    return next(c.proto for c in at.get("vega_lite_chart") if "input pixels" in c.proto.spec)


def test_a_receptive_field_another_student_chose_is_not_built_again():
    """The receptive-field chart (an Altair chart validated on every run, ~20 ms) is built once
    for the class per stack of layers, and draws the same."""
    cached.shared_results().clear()
    first, second = open_page("pages/architectures.py"), open_page("pages/architectures.py")
    start = cached.shared_results().stats()
    first.button_group(key="architectures_rf_preset").set_value("three 3x3").run()
    built = cached.shared_results().stats()
    second.button_group(key="architectures_rf_preset").set_value("three 3x3").run()
    after = cached.shared_results().stats()
    assert built.misses > start.misses, "the first student's stack was built for the class"
    assert after.misses == built.misses and after.hits > built.hits, "the second student's was not built again"
    assert field_chart(second).spec == field_chart(first).spec
    assert field_chart(second).datasets, "its rows arrive as a dataset, as Altair's did"


def test_a_pooled_map_from_the_store_is_named_by_its_content():
    writable = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    key = pooling_settings.map_key(writable)
    writable[0, 0, 0] = 99  # a map outside the store may change: its key follows it
    assert pooling_settings.map_key(writable) == fingerprint(writable) != key
    stored = cached.shared_results().get(("test_map_key", key), lambda: np.ones((1, 4, 4), np.float32))
    assert not stored.flags.writeable
    assert pooling_settings.map_key(stored) == pooling_settings.map_key(stored) == fingerprint(stored)

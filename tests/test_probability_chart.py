"""Issue #14, item 8: the class-probability chart names every class, the predicted one too."""

from __future__ import annotations

import numpy as np

from explorer.inspect.probability_chart import probability_chart
from explorer.ui import input_picker


def test_every_class_keeps_its_label_and_room_for_it():
    probs = np.full(10, 0.02)
    probs[7] = 0.82
    for chart in (probability_chart(probs, [str(k) for k in range(10)], 7),
                  input_picker.probability_chart(probs, [str(k) for k in range(10)], 7)):
        spec = chart.to_dict()
        axis = spec["encoding"]["y"]["axis"]
        # Streamlit's theme turns labelOverlap on, which hid every other class: the chart
        # must switch it off itself.
        assert axis["labelOverlap"] is False
        assert spec["height"] / 10 >= 16  # a bar per class as tall as its label needs
        assert [r["class"] for r in spec["datasets"][next(iter(spec["datasets"]))]] == [str(k) for k in range(10)]


def test_the_live_cameras_plain_spec_draws_the_same_chart():
    """The live camera's Vega-Lite dict (no Altair, redrawn twice a second) is the Altair chart."""
    from explorer.inspect.probability_chart import probability_spec

    probs = np.linspace(0.01, 0.3, 10)
    classes = [f"c{k}" for k in range(10)]
    chart = probability_chart(probs, classes, 9, label_px=20).to_dict()
    spec = probability_spec(probs, classes, 9, label_px=20)
    assert spec["encoding"] == chart["encoding"]
    assert (spec["mark"], spec["height"]) == (chart["mark"], chart["height"])
    rows = chart["datasets"][next(iter(chart["datasets"]))]
    assert spec["data"]["values"] == [{**r, "probability": float(r["probability"])} for r in rows]

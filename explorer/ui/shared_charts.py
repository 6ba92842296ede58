"""Charts that depend only on shared results (a model, a picture, a layer), built once for the
whole class and drawn from their Vega-Lite spec.

Building an Altair grid of feature maps (a PNG per cell) and validating it costs 0.1-0.5 s per
layer; the Filters page draws every layer on each run, about 4.5 s per student per run on the
2-core server. The spec is the same for every student looking at the same model, picture and
selection, so it is kept in cached.shared_results and only handed to st.vega_lite_chart.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import altair as alt

from explorer.ui import cached


def spec(key: tuple[Hashable, ...], build: Callable[[], alt.TopLevelMixin]) -> dict:
    """The Vega-Lite spec (a dict, shared: do not modify) of the chart `build()` returns; `key`
    names everything the chart depends on."""
    return cached.shared_results().get(("chart", *key), lambda: build().to_dict())

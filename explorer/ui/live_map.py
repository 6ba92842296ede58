"""Results that follow a slider while it is dragged: a Streamlit component (st.components.v2,
inline JavaScript, no build step, nothing fetched) that stands in for the server's picture or
grid until the server has drawn the slider's new value.

The JavaScript (live_map.js, next to this file) watches the sliders named in the payload
(explorer/learn/live_maps.py) and, while their values differ from the ones the server drew,
hides the server's result in the container `Live.target` and draws its own. The sliders stay
Streamlit's own (keyboard arrows, the address, AppTest all work as before).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np
import streamlit as st

from explorer.learn import grid_charts, kernels, live_maps
from explorer.ui import cached

HTML = """<div class="live-map" hidden>
<div class="live-problem" role="alert" hidden></div>
<canvas role="img" aria-label="The result for the slider's value while you drag it"></canvas>
<div class="live-caption" aria-live="polite"></div>
</div>"""

# Sizes in em: they follow the page, so presenter mode (a larger font on stMain) enlarges them too.
CSS = """
.live-map canvas { width: 100%; display: block; border-radius: 0.5rem; }
.live-map [hidden] { display: none !important; }  /* an explanation instead of a picture */
.live-map[data-view="grid"] canvas { width: auto; border-radius: 0; }
.live-map[data-view="grid"] .live-caption { text-align: left; }
.live-caption { font-size: 0.875em; opacity: 0.7; margin-top: 0.4rem; text-align: center;
  font-family: var(--st-font, sans-serif); color: var(--st-text-color, inherit); }
.live-problem { padding: 1rem; border-radius: 0.5rem; font-size: 1em; line-height: 1.5;
  background: rgba(255, 189, 69, 0.15); color: var(--st-text-color, #31333f);
  font-family: var(--st-font, sans-serif); }
"""

_COMPONENT = st.components.v2.component(
    "cnn_explorer_live_map", html=HTML, css=CSS, js=(Path(__file__).with_name("live_map.js")).read_text())


def show(live: live_maps.Live, key: str) -> None:
    """Mount the live view for `live` (call it inside `st.container(key=live.target)`, after
    the server's own result)."""
    _COMPONENT(key=key, data=live_maps.pack(live), height="content")


def show_shared(what: tuple[Hashable, ...], build: Callable[[], live_maps.Live], key: str) -> None:
    """show(build(), key) for a live view that is the same for the whole class (`what` names all
    it depends on): packed once (the input planes and the size table: ~0.3 MB for a 256x256
    map), not on every run of every student."""
    data = cached.shared_results().get(("live_map", *what), lambda: live_maps.pack(build()))
    _COMPONENT(key=key, data=data, height="content")


# The Convolution page's slider values (conv_settings and kernel_editor build their sliders
# from these, so the browser's table covers exactly what a slider can reach).
SIZES = tuple(range(1, kernels.MAX_SIZE + 1))
STRIDES = (1, 2, 3, 4, 5)
PADDINGS = ("valid", 0, 1, 2, 3, 4, 5, "same")
DILATIONS = (1, 2, 3, 4)
POOL_SIZES = POOL_STRIDES = (1, 2, 3, 4, 5, 6)
POOL_PADDINGS = (0, 1, 2, 3)


def conv_controls(size: int, stride: int, padding, dilation: int) -> tuple[live_maps.Control, ...]:
    return (live_maps.Control("convolution_size", "size", SIZES, size),
            live_maps.Control("convolution_stride", "stride", STRIDES, stride),
            live_maps.Control("convolution_padding", "padding", PADDINGS, padding, by_index=True),
            live_maps.Control("convolution_dilation", "dilation", DILATIONS, dilation))


def pool_controls(size: int, stride: int, padding: int) -> tuple[live_maps.Control, ...]:
    return (live_maps.Control("pooling_size", "size", POOL_SIZES, size),
            live_maps.Control("pooling_stride", "stride", POOL_STRIDES, stride),
            live_maps.Control("pooling_padding", "padding", POOL_PADDINGS, padding))


def conv(x: np.ndarray, by_size: dict[int, np.ndarray], settings: tuple[int, int, object, int], relu: bool,
         target: str, view: str = "picture", style: dict | None = None,
         cells: grid_charts.CellRule | None = None) -> live_maps.Live:
    """A live convolution of x ((C, H, W) or (H, W); the channels are added up, as a kernel
    repeated over them does) with the kernel of each size in by_size; settings = (size,
    stride, padding, dilation) as the server drew them. cells: a grid view's cell rule (the
    server's grid chart's)."""
    planes = np.asarray(x, np.float32)
    planes = planes.sum(axis=0, keepdims=True) if planes.ndim == 3 else planes[None]
    controls = conv_controls(*settings)
    table = live_maps.conv_table(planes.shape[1], planes.shape[2], controls, {})
    style = {"relu": relu, "kernels": {str(k): np.asarray(v, float).tolist() for k, v in by_size.items()},
             "palettes": live_maps.palettes(), "scales": live_maps.scales(max(planes.shape[1:]) + 12),
             **({"cells": list(cells)} if cells else {}), **(style or {})}
    return live_maps.Live("conv", view, planes, controls, table, target, style)


def pool(x: np.ndarray, settings: tuple[int, int, int], mode: str, mode_name: str, target: str,
         view: str = "picture", cells: grid_charts.CellRule | None = None) -> live_maps.Live:
    """A live pooling of x ((C, H, W) or (H, W)); settings = (size, stride, padding); cells: a
    grid view's cell rule (the server's grid chart's)."""
    planes = np.asarray(x, np.float32)
    planes = planes if planes.ndim == 3 else planes[None]
    controls = pool_controls(*settings)
    table = live_maps.pool_table(planes.shape[1], planes.shape[2], controls)
    style = {"mode": mode, "mode_name": mode_name, "palettes": live_maps.palettes(),
             "scales": live_maps.scales(max(planes.shape[1:]) + 8), **({"cells": list(cells)} if cells else {})}
    return live_maps.Live("pool", view, planes, controls, table, target, style)

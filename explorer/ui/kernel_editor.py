"""The Convolution page's kernel: a preset, its size (and seed), and an editable grid of numbers
that a link can carry (?convolution_kernel=-1,0,1_-2,0,2_-1,0,1)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from explorer.learn import grid_charts, kernels
from explorer.ui import live_map, url_state

# The kernel drawn again as a number grid in presenter mode: the editor is a canvas grid whose
# 13 px numbers no CSS can enlarge, unreadable from the back of a room. Presenter cells are 1.6x
# (url_state.cells): a 3x3 to 7x7 kernel in 64 px cells with 21 px digits, 11x11 in 50 px.
KERNEL_CELLS = grid_charts.CellRule(350, 24, 40)


@dataclass(frozen=True, eq=False)
class Kernel:
    """The preset's name, the (size, size) grid as edited, the size and the random seed."""

    preset: str
    grid: np.ndarray
    size: int
    seed: int

    def by_size(self) -> dict[int, np.ndarray]:
        """The grid of every size the Size slider reaches: the edited one at this size, the
        preset's at the others (what the page shows after a move of that slider)."""
        return {**preset_grids(self.preset, self.seed), self.size: self.grid}


@functools.lru_cache(maxsize=64)
def preset_grids(preset: str, seed: int) -> dict[int, np.ndarray]:
    """A preset's grid at every size, as the editor starts it (the random one costs ~10 ms)."""
    grids = {n: np.round(kernels.make(preset, n, seed), 4) for n in range(1, kernels.MAX_SIZE + 1)}
    for g in grids.values():
        g.setflags(write=False)  # shared between runs and sessions
    return grids


def grid_start(key: str, start: np.ndarray, size: int) -> tuple[str, np.ndarray]:
    """(editor key, first numbers) of the kernel grid: the preset's, or the edited grid a link
    carries when it fits this size."""
    shared = url_state.parse_kernel(url_state.incoming("convolution_kernel"), size)
    if shared is not None:
        st.session_state["convolution_shared_grid"] = (key, shared)
    linked_key, linked = st.session_state.get("convolution_shared_grid", (None, None))
    if linked_key != key:
        return key, start
    return f"{key}_linked_{url_state.encode_kernel(linked)}", linked  # a new link, a fresh editor


def pick() -> Kernel:
    """Preset, size, seed (random only) and the grid editor; the edited grid goes into the
    address and into session state for the Pooling page."""
    c1, c2 = st.columns([2, 1])
    preset = c1.selectbox("Preset", kernels.names(), index=kernels.names().index("sobel x"),
                          key="convolution_preset", bind=url_state.BIND, format_func=str.capitalize)
    size = c2.slider("Size", live_map.SIZES[0], live_map.SIZES[-1], 3, key="convolution_size", bind=url_state.BIND)
    seed = 0
    if preset == "random":
        seed = st.number_input("Random seed", 0, 9999, 0, key="convolution_seed", bind=url_state.BIND)
    st.caption(kernels.describe(preset) + " Edit any number below.")
    start = np.round(kernels.make(preset, size, int(seed)), 4)
    grid_key, first = grid_start(f"convolution_grid_{preset.replace(' ', '_')}_{size}_{seed}", start, size)
    edited = st.data_editor(
        pd.DataFrame(first, columns=[str(c) for c in range(size)]),
        key=grid_key, hide_index=True, width="stretch",
        column_config={str(c): st.column_config.NumberColumn(format="%.3f") for c in range(size)},
    )
    kernel = edited.to_numpy(dtype=np.float64, na_value=0.0)
    if edited.isna().to_numpy().any():
        st.caption("Empty cells count as 0.")
    if url_state.presenting():
        spec = grid_charts.grid(kernel, cell=url_state.cells(KERNEL_CELLS).size(size))
        st.vega_lite_chart(spec=spec, width="content", key="convolution_kernel_chart")
    # An edited grid goes into the address; the preset's own numbers need not.
    url_state.publish("convolution_kernel", None if np.array_equal(kernel, start) else url_state.encode_kernel(kernel))
    st.session_state["convolution_kernel_current"] = (preset, kernel.copy())
    return Kernel(preset, kernel, size, int(seed))

"""What the browser needs to redraw a convolution or pooling result while a slider is still
being dragged (Streamlit sends a slider's value only when it is let go).

The browser gets the input once per script run, plus a table of the output sizes for every
setting one slider move away from the current one. The sizes and the sentences that explain
an impossible setting come from `formula` / `geometry` (THE output-size function) here in
Python; the browser only multiplies and adds (explorer/ui/live_map.js), and a browser test
checks its numbers against `convolution.conv2d` and `pooling.pool2d`.

Wire format (`pack`): a 4-byte little-endian header length, the JSON header, zero bytes up
to a multiple of 4, then the input planes as float32 (C, H, W), row-major, compressed with
zlib's deflate (header "encoding": "deflate"; the browser's DecompressionStream reads it). A
page's maps are drawings and photos of 0-255 values: a 256x256 map, 262 KB raw, is 1-100 KB
deflated, sent with every run of every student that shows the view (issue 16).
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from explorer.learn import conv_pictures, formula, pool_windows
from explorer.pictures import colormaps

Value = int | str


@dataclass(frozen=True)
class Control:
    """A slider the browser follows: its widget key (the address parameter), the setting it
    holds, its values in order, the value the server drew, and whether the slider's range
    input holds an index into `options` (select_slider) rather than the value itself."""

    key: str
    name: str  # "size", "stride", "padding" or "dilation"
    options: tuple[Value, ...]
    value: Value
    by_index: bool = False


@dataclass(frozen=True, eq=False)
class Live:
    """One live view: what it computes (op 'conv' or 'pool', drawn as a 'picture' or a number
    'grid'), its input planes (C, H, W), the sliders it follows, the size table and how the
    result is drawn (`style`: mode, relu, colours... as JSON values)."""

    op: str
    view: str
    planes: np.ndarray
    controls: tuple[Control, ...]
    table: dict[str, dict]
    target: str  # the key of the st.container whose server-drawn result it stands in for
    style: dict = field(default_factory=dict)


def settings_key(values: dict[str, Value], controls: tuple[Control, ...]) -> str:
    """The table key of one combination of settings: the values in control order, '|'-joined."""
    return "|".join(str(values[c.name]) for c in controls)


def neighbours(controls: tuple[Control, ...]) -> list[dict[str, Value]]:
    """The current settings and every setting that moves exactly one slider (a drag moves one)."""
    now = {c.name: c.value for c in controls}
    out = [now]
    for c in controls:
        out += [{**now, c.name: v} for v in c.options if v != c.value]
    return out


def conv_entry(height: int, width: int, kernel: int, stride: int, padding: Value, dilation: int) -> dict:
    """Output size and padding of one convolution setting, or the page's explanation of why
    it has no output: {"h", "w", "pads": [top, bottom, left, right]} or {"error": sentence}."""
    try:
        ax_h, ax_w = formula.axes((height, width), (kernel, kernel), stride, padding, dilation)
    except ValueError as exc:
        return {"error": str(exc)}
    errors = [ax.error for ax in (ax_h, ax_w) if ax.error]
    if errors:
        return {"error": " ".join(errors)}
    return {"h": ax_h.size, "w": ax_w.size, "pads": [ax_h.before, ax_h.after, ax_w.before, ax_w.after]}


def pool_entry(height: int, width: int, size: int, stride: int, padding: int) -> dict:
    """Like conv_entry for a size x size pooling window (the Pooling page's explanation)."""
    fit = pool_windows.pool_size(height, width, size, stride, padding)
    if fit.problem:
        return {"error": fit.problem}
    return {"h": fit.ax_h.size, "w": fit.ax_w.size, "pads": [padding] * 4}


def conv_table(height: int, width: int, controls: tuple[Control, ...], fixed: dict[str, Value]) -> dict[str, dict]:
    """conv_entry for every neighbouring setting; `fixed` holds settings no slider here moves."""
    table = {}
    for v in neighbours(controls):
        s = {**fixed, **v}
        table[settings_key(v, controls)] = conv_entry(height, width, s["size"], s["stride"], s["padding"],
                                                      s["dilation"])
    return table


def pool_table(height: int, width: int, controls: tuple[Control, ...]) -> dict[str, dict]:
    """pool_entry for every neighbouring window."""
    return {settings_key(v, controls): pool_entry(height, width, v["size"], v["stride"], v["padding"])
            for v in neighbours(controls)}


def scales(largest: int) -> list[int]:
    """The pixel-repeat factor the server's pictures use for each longer side 0..largest."""
    return [conv_pictures.scale_for(max(side, 1)) for side in range(largest + 1)]


def palettes() -> dict[str, list[int]]:
    """The server's colour tables (flat RGB): the browser colours with the very same ones."""
    return {"diverging": colormaps.DIVERGING_PALETTE.ravel().tolist(),
            "grey": colormaps.GREY_PALETTE.ravel().tolist()}


def pack(live: Live) -> bytes:
    """The wire format above: header JSON + float32 planes."""
    planes = np.ascontiguousarray(live.planes, np.float32)
    header = {
        "op": live.op, "view": live.view, "shape": list(planes.shape), "target": live.target, "encoding": "deflate",
        "controls": [{"key": c.key, "name": c.name, "options": list(c.options), "value": c.value,
                      "by_index": c.by_index} for c in live.controls],
        "table": live.table, "style": live.style,
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    pad = (-(4 + len(text))) % 4
    return struct.pack("<I", len(text)) + text + b" " * pad + zlib.compress(planes.tobytes(), 6)


def unpack(data: bytes) -> tuple[dict, np.ndarray]:
    """pack's inverse (for tests): (header, planes)."""
    (n,) = struct.unpack_from("<I", data)
    header = json.loads(data[4: 4 + n])
    start = 4 + n + (-(4 + n)) % 4
    body = data[start:]
    if header.get("encoding") == "deflate":
        body = zlib.decompress(body)
    return header, np.frombuffer(body, np.float32).reshape(header["shape"])

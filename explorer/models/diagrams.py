"""Block diagrams of the course's two "advanced" building blocks with shapes computed from
the real modules: GoogLeNet's Inception module 3a and a ResNet basic block.

`inception_nodes()` / `residual_nodes()` give (nodes, edges) for learn.course_charts.boxes.
"""

from __future__ import annotations

import torch

from explorer import models
from explorer.models.summary import Summary


def _meta(name: str) -> torch.nn.Module:
    with torch.device("meta"):  # shapes only
        return models.build(name)


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(n) for n in shape)


def _rows(s: Summary, prefix: str) -> list:
    return [r for r in s.rows if r.name.startswith(prefix) and r.kind in ("conv", "pool")]


def inception_nodes(side: int = 28) -> tuple[list[dict], list[tuple[str, str]], Summary]:
    """The 3a module's four branches, each box labelled with its layer and output shape."""
    c_in = models.info("inception3a").input_size[0]
    s = models.summary(_meta("inception3a"), (c_in, side, side))
    nodes = [{"id": "in", "label": f"input\n{_shape(s.input_shape)}", "x": 340, "y": 30, "w": 150, "h": 40,
              "color": "#dddddd"}]
    edges = []
    for i, prefix in enumerate(("branch1", "branch3", "branch5", "branch_pool")):
        x = 90 + i * 165
        last = "in"
        for depth, r in enumerate(_rows(s, prefix)):
            node = f"{prefix}{depth}"
            kind = r.layer.split(",")[0].replace("Conv2d ", "conv ").replace("MaxPool2d ", "max pool ")
            nodes.append({"id": node, "label": f"{kind}\n{_shape(r.output_shape)}", "x": x, "y": 110 + 70 * depth,
                          "w": 150, "h": 40, "color": "#ffd8a8" if r.kind == "pool" else "#a5d8ff"})
            edges.append((last, node))
            last = node
        edges.append((last, "out"))
    nodes.append({"id": "out", "label": f"concatenate\n{_shape(s.output_shape)}", "x": 340, "y": 290,
                  "w": 170, "h": 40, "color": "#b2f2bb"})
    return nodes, edges, s


def residual_nodes(name: str = "resnet18", side: int = 224) -> tuple[list[dict], list[tuple[str, str]], Summary]:
    """ResNet's first basic block (layer1.0): two 3x3 convolutions and the shortcut."""
    c = models.info(name).input_size[0]
    s = models.summary(_meta(name), (c, side, side))
    block = [r for r in s.rows if r.name.startswith("layer1.0.")]
    before = s.rows[s.rows.index(block[0]) - 1]  # the stem's max pooling
    x_shape = _shape(before.output_shape)
    nodes = [{"id": "x", "label": f"x\n{x_shape}", "x": 200, "y": 25, "w": 140, "h": 36, "color": "#dddddd"}]
    edges: list[tuple[str, str]] = []
    last, y = "x", 85
    for r in block:
        if r.kind not in ("conv", "norm", "activation") or r.name.endswith("relu2"):
            continue
        label = {"conv": r.layer.split(",")[0].replace("Conv2d", "conv"), "norm": "batch norm",
                 "activation": "ReLU"}[r.kind]
        node = r.name
        nodes.append({"id": node, "label": f"{label}\n{_shape(r.output_shape)}", "x": 200, "y": y, "w": 140,
                      "h": 36, "color": "#a5d8ff" if r.kind == "conv" else "#e9ecef"})
        edges.append((last, node))
        last, y = node, y + 55
    nodes.append({"id": "add", "label": "F(x) + x", "x": 200, "y": y, "w": 140, "h": 36, "color": "#b2f2bb"})
    edges.append((last, "add"))
    nodes.append({"id": "skip", "label": "shortcut:\nx unchanged", "x": 420, "y": (85 + y) / 2, "w": 130, "h": 40,
                  "color": "#fff3bf"})
    edges += [("x", "skip"), ("skip", "add")]
    out = [r for r in block if r.name.endswith("relu2")][0]
    nodes.append({"id": "relu", "label": f"ReLU\n{_shape(out.output_shape)}", "x": 200, "y": y + 55, "w": 140,
                  "h": 36, "color": "#e9ecef"})
    edges.append(("add", "relu"))
    return nodes, edges, s

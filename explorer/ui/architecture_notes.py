"""Architectures page, the course's notes on each classic network: LeNet-5's C3 table,
AlexNet's choices, the Inception module and the residual block drawn, and the ImageNet story
as a review table. Numbers are computed from the modules; quotes say whose they are."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import models
from explorer.learn import course_charts
from explorer.models import diagrams, lenet, review
from explorer.ui import shared_charts, tables, url_state

COURSE = "quoted from the course"
# He et al. 2015, Table 2: top-1 error (%) on ImageNet validation, 10-crop testing.
DEGRADATION = {"plain-18": 27.94, "plain-34": 28.54, "ResNet-18": 27.88, "ResNet-34": 25.03}
DEGRADATION_SOURCE = "He et al. 2015, Deep Residual Learning for Image Recognition, Table 2"


def lenet_c3(side: int) -> None:
    """The 6x16 connection table and its counts (at the chosen input side)."""
    st.subheader("LeNet-5's C3: not every map reads every map")
    table = course_charts.connection_table(lenet.c3_matrix(), "S2 map (input)", "C3 map (output)",
                                           cell=url_state.cell(course_charts.CONNECTION_CELL))
    st.vega_lite_chart(spec=url_state.readable(table), width="content", key="architectures_c3_table")
    if side < 14:
        st.caption("The counts below need C3's maps to exist; choose an input of at least 14x14.")
        return
    c = lenet.c3_counts(side)
    k = lenet.c3_matrix()
    st.markdown(
        f"A blue square marks which S2 map (row) each C3 map (column) reads: {int(k.sum())} of the "
        f"{k.size} pairs. Each pair is one 5x5 kernel, so C3 has **{c.params:,} parameters = "
        f"{c.weights:,} weights + {c.biases} biases**, against {c.full_weights:,} weights "
        f"(+{c.biases} biases = {c.full_params:,}) if every map read every map. Applied at each of "
        f"the {c.positions} positions of a C3 map, that is **{c.connections:,} connections** against "
        f"**{c.full_weight_connections:,}** ({c.full_connections:,} with the biases).")
    st.caption("The course's figures (1,516 vs 2,400 parameters, 151,600 vs 240,000 connections) count "
               "the full layer's weights without its 16 biases; both are computed above. Why: fewer "
               "connections, and different maps are forced to learn different features (the course: "
               "'to break the symmetry').")


@st.cache_data(max_entries=8, show_spinner=False)
def _meta_summary(name: str):
    """Shapes only (meta device): no 61 million weights allocated on a page view."""
    import torch

    with torch.device("meta"):
        model = models.build(name)
    return models.summary(model, models.info(name).input_size)


def alexnet_notes(name: str) -> None:
    st.subheader("AlexNet's choices (quoted from the course)")
    st.markdown(
        "- **ReLU instead of tanh**: the course reports that it reached a 25% training error on "
        "CIFAR-10 six times faster (*quoted from the course*; try a small version live on the page "
        "Neurons, layers, ReLU, dropout).\n"
        "- **Overlapping pooling** (3x3, stride 2 instead of 2x2, stride 2): top-1 error 0.4% and "
        "top-5 error 0.3% lower (*quoted from the course*; the Pooling page counts the windows per pixel).\n"
        "- **Dropout 0.5** in the first two dense layers, and **data augmentation** (mirror images, "
        "random 227x227 crops of 256x256 pictures).")
    paper, tv = (_meta_summary(n) for n in ("alexnet", "alexnet_torchvision"))
    st.caption(f"Built here at its design size: the paper's AlexNet has {paper.total_params:,} parameters at "
               f"227x227, torchvision's one-GPU variant {tv.total_params:,} at 224x224 (no groups, no response "
               f"normalisation, 64-192-384-256-256 kernels). Choose either above.")


@st.cache_data(max_entries=2, show_spinner=False)
def _inception():
    return diagrams.inception_nodes()


@st.cache_data(max_entries=2, show_spinner=False)
def _residual():
    return diagrams.residual_nodes()


@st.cache_data(max_entries=2, show_spinner=False)
def _review():
    return review.table()


def inception_module() -> None:
    st.subheader("The Inception module, drawn")
    nodes, edges, s = _inception()
    spec = course_charts.boxes(nodes, edges, width=680, height=320, scale=url_state.zoom())
    st.vega_lite_chart(spec=spec, width="content", key="architectures_inception_diagram")
    st.caption(f"Module 3a as built here: four branches side by side on the same "
               f"{'x'.join(map(str, s.input_shape))} input, concatenated along the channels into "
               f"{'x'.join(map(str, s.output_shape))}; {s.total_params:,} parameters. The 1x1 convolutions "
               "before the 3x3 and 5x5 are the bottleneck (see the calculator below).")


def residual_block() -> None:
    st.subheader("The residual block, drawn")
    nodes, edges, _ = _residual()
    spec = course_charts.boxes(nodes, edges, width=520, height=470, scale=url_state.zoom())
    st.vega_lite_chart(spec=spec, width="content", key="architectures_residual_diagram")
    st.caption("ResNet-18's first block as built here: the two convolutions learn only F(x), what to "
               "add to x; the shortcut carries x unchanged, so a block that should do nothing only has "
               "to learn F(x) = 0.")
    st.markdown("**The degradation problem**: a deeper plain network trains *worse*, not better; with "
                "shortcuts the deeper one wins.")
    tables.show(shared_charts.table(("degradation",), lambda: pd.DataFrame(
        [{"network": k, "top-1 error (%)": v} for k, v in DEGRADATION.items()])), width="content")
    st.caption(f"Quoted from {DEGRADATION_SOURCE} (ImageNet validation, 10-crop); not run here.")


def imagenet_story() -> None:
    st.subheader("The ImageNet story")
    st.markdown(
        "**Top-5 error** is the share of test pictures whose correct class is *not* among the "
        "network's five highest-scoring classes (of 1,000). The course's figures are quoted; depth "
        "(weight layers on the longest path, as papers count them: VGG-16 has 16), parameters and "
        "multiply-accumulates (MACs) are computed here from each network built at its design size.")
    tables.show(shared_charts.table(("imagenet_review",), lambda: pd.DataFrame([{
        "Network": r.title.split(" (")[0], "Year": str(r.year), "Depth (weight layers)": r.depth,
        "Parameters": r.params, "MACs per picture": r.macs, "Input": f"{r.input_side}x{r.input_side}",
        # text, so a network the course gives no figure for gets an empty cell (a number column
        # draws Python's "None" there, as the caption below would then contradict)
        "Top-5 error (%)": "" if r.quote is None else f"{r.quote.top5_error:.2f}".rstrip("0").rstrip("."),
    } for r in _review()])), key="architectures_review",
        column_config={"Parameters": st.column_config.NumberColumn(format="localized"),
                       "MACs per picture": st.column_config.NumberColumn(format="localized")})
    # The course's own words under the table, not as its last column: at 1400x900 that column
    # ran past the grid's edge and cut AlexNet's figures off.
    stated = "; ".join(f"{r.title.split(' (')[0]}: {r.quote.text}" for r in _review() if r.quote)
    st.caption(f"Top-5 figures {COURSE} (section 2; {stated}); accuracies are turned into errors as 100% "
               "minus the accuracy. An empty cell: the course quotes no figure for that network.")


def show(name: str, side: int) -> None:
    """The notes that belong to the chosen architecture, then the ImageNet story."""
    if name == "lenet5":
        lenet_c3(side)
    elif name.startswith("alexnet"):
        alexnet_notes(name)
    elif name in ("inception3a", "googlenet"):
        inception_module()
    elif name.startswith("resnet"):
        residual_block()
    imagenet_story()

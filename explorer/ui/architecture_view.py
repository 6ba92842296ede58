"""The Architectures page's main view: choose a network and an input, then its numbers, its
volumes picture and its per-layer table (or why the input does not fit)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from explorer import models
from explorer.models import at_size
from explorer.models.summary import Summary
from explorer.ui import code_panel, shared_charts, tables, url_state, zoo

ORDER = ["lenet5", "course_mlp", "course_cnn", "compact_cnn", "tinyvgg", "alexnet",
         "alexnet_torchvision", "vgg11", "vgg16", "vgg19",
         "inception3a", "googlenet", "resnet18", "resnet34", "resnet152"]
CHOICES = [n for n in ORDER if n in models.names()] + [n for n in models.names() if n not in ORDER]


@dataclass(frozen=True)
class Choice:
    """An architecture at one input: channels x side x side, `classes` outputs (None for a
    block that is not a classifier, e.g. Inception 3a)."""
    name: str
    channels: int
    side: int
    classes: int | None


def big(n: int) -> str:
    """1,234 / 61.1 M / 15.47 G: readable sizes for metrics."""
    for unit, scale in (("G", 1e9), ("M", 1e6)):
        if n >= scale:
            return f"{n / scale:,.{2 if unit == 'G' else 1}f} {unit}"
    return f"{n:,}"


def _reset_input() -> None:
    """A new architecture starts at the input it was designed for (also the widgets' defaults,
    so that a link carries only the settings that differ from the design)."""
    name = st.session_state["architectures_name"]
    c, h, _ = models.info(name).input_size
    st.session_state["architectures_channels"] = c
    st.session_state["architectures_side"] = h
    st.session_state["architectures_classes"] = zoo.default_classes(name) or 10


def choose() -> Choice:
    """The architecture and input widgets in one row."""
    cols = st.columns([3, 1, 1, 1])
    # LeNet-5 first: small enough to read layer by layer, and the course's starting point.
    name = cols[0].selectbox("Architecture", CHOICES, CHOICES.index("lenet5"), key="architectures_name",
                             on_change=_reset_input,
                             format_func=lambda n: models.info(n).title, bind=url_state.BIND)
    design_c, design_side, _ = models.info(name).input_size
    channels = cols[1].number_input("Input channels", 1, 512, design_c, key="architectures_channels",
                                    help="1 for grayscale, 3 for colour (Inception 3a reads 192 feature maps).",
                                    bind=url_state.BIND)
    side = cols[2].number_input("Input size (pixels)", 1, 512, design_side, key="architectures_side",
                                help="Height and width of the square input picture.", bind=url_state.BIND)
    default_classes = zoo.default_classes(name)
    classes = cols[3].number_input("Classes", 1, 10_000, default_classes or 10, key="architectures_classes",
                                   disabled=default_classes is None, bind=url_state.BIND,
                                   help="Outputs of the last layer: 10 digits, 1,000 ImageNet classes.")
    return Choice(name, int(channels), int(side), int(classes) if default_classes is not None else None)


def show(choice: Choice) -> None:
    """Metrics, the volumes picture and the per-layer table, or why the input does not fit."""
    info = models.info(choice.name)
    st.markdown(f"**{info.title}.** {info.description}")
    try:
        s = zoo.summary(choice.name, choice.channels, choice.side, choice.classes)
    except models.InputTooSmall as error:
        st.warning(f"**Input too small.** {error}", icon="📏")
        smallest = zoo.smallest_side(choice.name, choice.channels, choice.classes)
        if smallest:
            st.info(f"The smallest square input {info.title} accepts is **{smallest}x{smallest}**.")
        return
    st.markdown(at_size.sentence(s))
    _metrics(s, choice.side)
    st.image(zoo.picture(choice.name, choice.channels, choice.side, choice.classes),
             caption="Grey: the input. Blue: convolutions, orange: poolings, green: both or an "
                     "Inception module, purple: dense layers. Height and slant show height and "
                     "width (square root scale), thickness the number of channels (log scale).",
             width="stretch", output_format="PNG")
    _table(s, choice)
    code_panel.architecture(choice.name, choice.channels, choice.side, choice.classes)


def _metrics(s: Summary, side: int) -> None:
    m = st.columns(4)
    m[0].metric("Parameters", big(s.total_params), help=f"{s.total_params:,} numbers learned in training")
    m[1].metric("MACs per image", big(s.total_macs),
                help=f"{s.total_macs:,} multiply-accumulates for one {side}x{side} picture (counted as torch's FlopCounterMode counts them)")
    m[2].metric("Output", " x ".join(str(n) for n in s.output_shape))
    m[3].metric("Layers (modules)", len(s))


def _table(s: Summary, choice: Choice) -> None:
    """The heaviest layer named, then every layer's shape, parameters and MACs (the table built
    once for the class per architecture and input)."""
    heaviest = max(s.rows, key=lambda r: r.params)
    if s.total_params:
        st.caption(f"The heaviest layer is **{heaviest.layer}** (layer {heaviest.name} in the "
                   f"table): {heaviest.params / s.total_params:.0%} of all parameters.")
    tables.show(
        shared_charts.table(("architecture_layers", choice), lambda: pd.DataFrame(s.table())),
        column_config={
            "Parameters": st.column_config.NumberColumn(format="localized"),
            "MACs": st.column_config.NumberColumn(format="localized"),
        },
    )

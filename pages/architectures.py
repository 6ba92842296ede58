"""Architectures: the classical CNNs as real PyTorch modules, layer by layer, and the
calculators behind their design choices."""

import pandas as pd
import streamlit as st

from explorer import models
from explorer.learn import calculator_charts, calculators
from explorer.models import at_size
from explorer.ui import architecture_notes, code_panel, streamlit_fixes, url_state, zoo

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

ORDER = ["lenet5", "course_mlp", "course_cnn", "compact_cnn", "tinyvgg", "alexnet",
         "alexnet_torchvision", "vgg11", "vgg16", "vgg19",
         "inception3a", "googlenet", "resnet18", "resnet34", "resnet152"]
CHOICES = [n for n in ORDER if n in models.names()] + [n for n in models.names() if n not in ORDER]


def big(n: int) -> str:
    """1,234 / 61.1 M / 15.47 G: readable sizes for metrics."""
    for unit, scale in (("G", 1e9), ("M", 1e6)):
        if n >= scale:
            return f"{n / scale:,.{2 if unit == 'G' else 1}f} {unit}"
    return f"{n:,}"


def reset_input() -> None:
    """A new architecture starts at the input it was designed for (also the widgets' defaults,
    so that a link carries only the settings that differ from the design)."""
    name = st.session_state["architectures_name"]
    c, h, _ = models.info(name).input_size
    st.session_state["architectures_channels"] = c
    st.session_state["architectures_side"] = h
    st.session_state["architectures_classes"] = zoo.default_classes(name) or 10


st.title("🏛️ Architectures")
st.write(
    "The networks that shaped computer vision, built here as real PyTorch modules (fresh "
    "weights, nothing downloaded). Choose one and an input size: see every layer's output "
    "shape, its parameters and its multiply-accumulates (MACs), and the picture shrink in "
    "height and width while it grows in depth."
)

cols = st.columns([3, 1, 1, 1])
# LeNet-5 first: small enough to read layer by layer, and the course's starting point.
name = cols[0].selectbox("Architecture", CHOICES, CHOICES.index("lenet5"), key="architectures_name",
                         on_change=reset_input,
                         format_func=lambda n: models.info(n).title, bind=url_state.BIND)
design_c, design_side, _ = models.info(name).input_size
channels = cols[1].number_input("Input channels", 1, 512, design_c, key="architectures_channels",
                                help="1 for grayscale, 3 for colour (Inception 3a reads 192 feature maps).",
                                bind=url_state.BIND)
side = cols[2].number_input("Input size (pixels)", 1, 512, design_side, key="architectures_side",
                            help="Height and width of the square input picture.", bind=url_state.BIND)
is_classifier = zoo.default_classes(name) is not None
classes = cols[3].number_input("Classes", 1, 10_000, zoo.default_classes(name) or 10, key="architectures_classes",
                               disabled=not is_classifier, bind=url_state.BIND,
                               help="Outputs of the last layer: 10 digits, 1,000 ImageNet classes.")
info = models.info(name)
st.markdown(f"**{info.title}.** {info.description}")

def model_view(n_classes: int | None) -> None:
    """Metrics, the volumes picture and the per-layer table, or why the input does not fit."""
    try:
        s = zoo.summary(name, int(channels), int(side), n_classes)
    except models.InputTooSmall as error:
        st.warning(f"**Input too small.** {error}", icon="📏")
        smallest = zoo.smallest_side(name, int(channels), n_classes)
        if smallest:
            st.info(f"The smallest square input {info.title} accepts is **{smallest}x{smallest}**.")
        return

    st.markdown(at_size.sentence(s))
    m = st.columns(4)
    m[0].metric("Parameters", big(s.total_params), help=f"{s.total_params:,} numbers learned in training")
    m[1].metric("MACs per image", big(s.total_macs),
                help=f"{s.total_macs:,} multiply-accumulates for one {side}x{side} picture (torch's FlopCounterMode)")
    m[2].metric("Output", " x ".join(str(n) for n in s.output_shape))
    m[3].metric("Layers (modules)", len(s))

    st.image(zoo.picture(name, int(channels), int(side), n_classes),
             caption="Grey: the input. Blue: convolutions, orange: poolings, green: both or an "
                     "Inception module, purple: dense layers. Height and slant show height and "
                     "width (square root scale), thickness the number of channels (log scale).",
             width="stretch")

    heaviest = max(s.rows, key=lambda r: r.params)
    if s.total_params:
        st.caption(f"The heaviest layer is **{heaviest.layer}** (layer {heaviest.name} in the "
                   f"table): {heaviest.params / s.total_params:.0%} of all parameters.")
    st.dataframe(
        pd.DataFrame(s.table()), hide_index=True, width="stretch",
        column_config={
            "Parameters": st.column_config.NumberColumn(format="localized"),
            "MACs": st.column_config.NumberColumn(format="localized"),
        },
    )
    code_panel.architecture(name, int(channels), int(side), n_classes)


model_view(int(classes) if is_classifier else None)
architecture_notes.show(name, int(side))

st.header("Calculators")
dense_tab, bottleneck_tab, field_tab = st.tabs(
    ["Dense vs convolution", "Inception 1x1 bottleneck", "Receptive field"])


@st.fragment
def dense_vs_conv() -> None:
    c = st.columns(6)
    h = c[0].number_input("Height", 1, 2048, 64, key="architectures_dvc_h", bind=url_state.BIND)
    w = c[1].number_input("Width", 1, 2048, 64, key="architectures_dvc_w", bind=url_state.BIND)
    ch = c[2].number_input("Channels", 1, 2048, 1, key="architectures_dvc_c", bind=url_state.BIND)
    units = c[3].number_input("Dense units", 1, 100_000, 512, key="architectures_dvc_units", bind=url_state.BIND)
    filters = c[4].number_input("Filters", 1, 4096, 32, key="architectures_dvc_filters", bind=url_state.BIND)
    k = c[5].number_input("Kernel size", 1, 31, 3, key="architectures_dvc_kernel", bind=url_state.BIND)
    r = calculators.dense_vs_conv(int(h), int(w), int(ch), int(units), int(filters), int(k))
    st.altair_chart(url_state.readable(calculator_charts.dense_vs_conv(r, f"dense, {units} units",
                                                                       f"conv, {filters} filters {k}x{k}")),
                    width="stretch")
    st.markdown(
        f"A dense layer connects all {h * w * ch:,} input numbers to each of its {units:,} "
        f"units: **{r.dense_params:,}** parameters. {filters} filters of {k}x{k}x{ch} need "
        f"**{r.conv_params:,}**, {r.ratio:,.0f} times fewer, and the same number for any "
        f"picture size, because every filter slides over the whole picture "
        f"(output {r.conv_out[1]}x{r.conv_out[2]}x{r.conv_out[0]}, {r.conv_macs:,} MACs).")


@st.fragment
def bottleneck() -> None:
    c = st.columns(5)
    size = c[0].number_input("Map size", 1, 512, 28, key="architectures_bn_size", bind=url_state.BIND)
    ch = c[1].number_input("Input channels", 1, 4096, 192, key="architectures_bn_channels", bind=url_state.BIND)
    k = c[2].number_input("Kernel size", 1, 11, 5, key="architectures_bn_kernel", bind=url_state.BIND)
    filters = c[3].number_input("Filters", 1, 4096, 32, key="architectures_bn_filters", bind=url_state.BIND)
    reduce = c[4].number_input("1x1 reduction to", 1, 4096, 16, key="architectures_bn_reduce", bind=url_state.BIND)
    b = calculators.bottleneck(int(size), int(size), int(ch), int(k), int(filters), int(reduce))
    st.altair_chart(url_state.readable(calculator_charts.bottleneck(b, int(k), int(reduce))), width="stretch")
    m = st.columns(3)
    m[0].metric(f"{k}x{k} directly", f"{b.direct / 1e6:,.1f} M", help=f"{b.direct:,} multiplications")
    m[1].metric(f"With the 1x1 to {reduce}", f"{b.with_reduction / 1e6:,.1f} M",
                help=f"{b.reduce_step:,} + {b.conv_step:,}")
    m[2].metric("Fewer multiplications", f"{b.saving:,.1f}x")
    st.caption(f"Directly: {size}x{size} positions x {filters} filters x {k}x{k}x{ch} products. "
               f"With the bottleneck a 1x1 convolution first squeezes {ch} channels to {reduce} "
               f"({size}x{size}x{reduce}x{ch}), then the {k}x{k} reads only {reduce} "
               f"({size}x{size}x{filters}x{k}x{k}x{reduce}). Parameters: "
               f"{b.direct_params:,} vs {b.bottleneck_params:,} weights.")


FIELD_PRESETS = {
    "two 3x3": [(3, 1, 1)] * 2,
    "three 3x3": [(3, 1, 1)] * 3,
    "3x3, stride 2, 3x3": [(3, 2, 1), (3, 1, 1)],
    "dilated 1, 2, 4": [(3, 1, 1), (3, 1, 2), (3, 1, 4)],
    "dilation 2 twice (gaps)": [(3, 1, 2), (3, 1, 2)],
}


@st.fragment
def receptive_field() -> None:
    preset = st.segmented_control("Start from", list(FIELD_PRESETS), default="two 3x3", required=True,
                                  key="architectures_rf_preset", bind=url_state.BIND)
    table = pd.DataFrame(FIELD_PRESETS[preset], columns=["kernel", "stride", "dilation"])
    edited = st.data_editor(
        table, num_rows="dynamic", hide_index=True, key=f"architectures_rf_layers_{preset}",
        column_config={col: st.column_config.NumberColumn(col, min_value=1, max_value=64, step=1, required=True)
                       for col in table.columns})
    layers = [calculators.Layer1D(int(k), int(s), int(d)) for k, s, d in edited.dropna().itertuples(index=False)]
    if not layers:
        st.info("Add a layer to see its receptive field.")
        return
    rows = calculators.receptive_field(layers)
    rf = rows[-1].rf
    st.metric("One unit of the last layer sees", f"{rf}x{rf} input pixels")
    st.dataframe(pd.DataFrame([{"after layer": r.layer, "kernel": r.kernel, "stride": r.stride,
                                "dilation": r.dilation, "receptive field": r.rf,
                                "input pixels between neighbours": r.jump} for r in rows]),
                 hide_index=True, width="stretch")
    chart = calculator_charts.receptive_field_grid(layers)
    if chart is None:
        st.caption("The field is too wide to draw pixel by pixel; the table has the numbers.")
    else:
        st.altair_chart(url_state.readable(chart), width="stretch")
    st.caption("Each layer adds (kernel − 1) x dilation steps, and a step is as many input "
               "pixels as all the strides before it multiply to. Two 3x3 see as far as one "
               "5x5 with fewer weights (2x9 = 18 vs 25); three see as far as a 7x7 (27 vs 49).")


with dense_tab:
    dense_vs_conv()
with bottleneck_tab:
    bottleneck()
with field_tab:
    receptive_field()

"""Back-of-the-envelope numbers of CNN design: dense vs convolutional parameters, the cost of
an Inception bottleneck, the receptive field of stacked layers. Plain integers, no torch."""

from __future__ import annotations

from dataclasses import dataclass

from explorer.learn import geometry


def conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output side of a convolution by geometry.output_size, or 0 when nothing fits."""
    try:
        return geometry.output_size(size, kernel, stride, padding, dilation)
    except ValueError:
        return 0


@dataclass(frozen=True)
class DenseVsConv:
    """One layer on an h x w x c picture: a dense layer of `units` vs `filters` k x k filters."""

    dense_params: int
    conv_params: int
    dense_macs: int
    conv_macs: int
    conv_out: tuple[int, int, int]  # (filters, H', W')

    @property
    def ratio(self) -> float:
        return self.dense_params / max(self.conv_params, 1)


def dense_vs_conv(h: int, w: int, c: int, units: int, filters: int, kernel: int,
                  stride: int = 1, padding: int = 0) -> DenseVsConv:
    """Weights + biases of both layers. The dense layer connects every pixel to every unit;
    a filter has k*k*c weights whatever the picture's size."""
    oh, ow = conv_out(h, kernel, stride, padding), conv_out(w, kernel, stride, padding)
    n_in = h * w * c
    return DenseVsConv(
        dense_params=n_in * units + units,
        conv_params=kernel * kernel * c * filters + filters,
        dense_macs=n_in * units,
        conv_macs=oh * ow * filters * kernel * kernel * c,
        conv_out=(filters, oh, ow),
    )


@dataclass(frozen=True)
class Bottleneck:
    """Multiplications of a k x k convolution on an h x w x c map, directly or after a 1x1
    reduction to `reduce` channels (GoogLeNet's trick)."""

    direct: int
    reduce_step: int  # the 1x1 convolution: h*w*reduce*c
    conv_step: int    # the k x k convolution on the reduced map: h*w*filters*k*k*reduce
    direct_params: int
    bottleneck_params: int

    @property
    def with_reduction(self) -> int:
        return self.reduce_step + self.conv_step

    @property
    def saving(self) -> float:
        return self.direct / max(self.with_reduction, 1)


def bottleneck(h: int, w: int, c: int, kernel: int, filters: int, reduce: int) -> Bottleneck:
    """'Same' convolutions, so every step keeps h x w. Parameters count weights only."""
    return Bottleneck(
        direct=h * w * filters * kernel * kernel * c,
        reduce_step=h * w * reduce * c,
        conv_step=h * w * filters * kernel * kernel * reduce,
        direct_params=kernel * kernel * c * filters,
        bottleneck_params=c * reduce + kernel * kernel * reduce * filters,
    )


@dataclass(frozen=True)
class Layer1D:
    """A convolution or pooling along one axis: window size, step, spacing of its taps."""

    kernel: int
    stride: int = 1
    dilation: int = 1


@dataclass(frozen=True)
class FieldRow:
    """After a layer: how many input pixels one unit sees (rf), and how far apart in input
    pixels two neighbouring units are (jump)."""

    layer: int
    kernel: int
    stride: int
    dilation: int
    rf: int
    jump: int


def receptive_field(layers: list[Layer1D]) -> list[FieldRow]:
    """rf_l = rf_(l-1) + (d(k-1)) * jump_(l-1); jump_l = jump_(l-1) * stride. Two 3x3 see 5,
    three see 7; a stride multiplies what every later layer adds."""
    rf, jump, rows = 1, 1, []
    for i, layer in enumerate(layers, start=1):
        if layer.kernel < 1 or layer.stride < 1 or layer.dilation < 1:
            raise ValueError(f"layer {i}: kernel, stride and dilation must be at least 1")
        rf += layer.dilation * (layer.kernel - 1) * jump
        jump *= layer.stride
        rows.append(FieldRow(i, layer.kernel, layer.stride, layer.dilation, rf, jump))
    return rows


def seen_pixels(layers: list[Layer1D]) -> list[int]:
    """The input pixels (0 .. rf-1) that one unit of the last layer actually reads. With
    dilation some pixels inside the field are skipped: the gaps a dilated stack can leave."""
    positions = {0}
    for layer in reversed(layers):
        positions = {p * layer.stride + layer.dilation * i for p in positions for i in range(layer.kernel)}
    return sorted(positions)


# Stacks a student can start the receptive-field calculator from: (kernel, stride, dilation).
FIELD_PRESETS: dict[str, list[tuple[int, int, int]]] = {
    "two 3x3": [(3, 1, 1)] * 2,
    "three 3x3": [(3, 1, 1)] * 3,
    "3x3, stride 2, 3x3": [(3, 2, 1), (3, 1, 1)],
    "dilated 1, 2, 4": [(3, 1, 1), (3, 1, 2), (3, 1, 4)],
    "dilation 2 twice (gaps)": [(3, 1, 2), (3, 1, 2)],
}

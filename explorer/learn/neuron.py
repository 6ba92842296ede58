"""A neuron, a fully connected layer and softmax, with the numbers a student types, and the
course's first network counted layer by layer from the model built here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # PyTorch is imported by dense_rows: the neuron and softmax need only NumPy
    from torch import nn

ACTIVATIONS = ("relu", "sigmoid", "tanh", "none")


def activate(z: np.ndarray, name: str) -> np.ndarray:
    z = np.asarray(z, np.float64)
    if name == "relu":
        return np.maximum(z, 0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    return z


@dataclass(frozen=True)
class NeuronOutput:
    products: np.ndarray  # w_i * x_i
    z: float              # sum + bias
    a: float              # activation(z)


def neuron(x: np.ndarray, w: np.ndarray, b: float, activation: str) -> NeuronOutput:
    """One node: weighted sum of its inputs plus a bias, through an activation."""
    products = np.asarray(w, np.float64) * np.asarray(x, np.float64)
    z = float(products.sum() + b)
    return NeuronOutput(products, z, float(activate(np.array(z), activation)))


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities that add up to 1; the largest score gets the largest share."""
    s = np.asarray(scores, np.float64)
    e = np.exp(s - s.max())
    return e / e.sum()


@dataclass(frozen=True)
class DenseRow:
    layer: str
    inputs: int
    units: int

    @property
    def weights(self) -> int:
        return self.inputs * self.units

    @property
    def params(self) -> int:
        return self.weights + self.units


def dense_rows(model: nn.Module) -> list[DenseRow]:
    """One row per nn.Linear of the model, in order."""
    from torch import nn

    return [DenseRow(name, m.in_features, m.out_features)
            for name, m in model.named_modules() if isinstance(m, nn.Linear)]

"""Activations and their derivatives, written so backprop can say ``d_out_d_z`` in one line.

Each derivative is given in terms of the activation's output ``a`` where that is the textbook form
(sigmoid: a(1 - a); tanh: 1 - a^2), which is also what a student sees on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), computed without overflow for large |z|."""
    out = np.empty_like(z, dtype=float)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1.0 + e)
    return out


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[[np.ndarray], np.ndarray]
    # d a / d z, from the pre-activation z and the output a (each activation uses what is cheapest).
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    # Where a unit stops learning: sigmoid/tanh near their bounds, ReLU below zero ("dead").
    saturated: Callable[[np.ndarray, np.ndarray], np.ndarray]


SATURATION = 0.02  # within 2% of a bound, sigma' (or tanh') is below 0.02: the unit has all but stopped learning

ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid",
        sigmoid,
        lambda z, a: a * (1.0 - a),
        lambda z, a: (a < SATURATION) | (a > 1.0 - SATURATION),
    ),
    "tanh": Activation(
        "tanh",
        np.tanh,
        lambda z, a: 1.0 - a * a,
        lambda z, a: np.abs(a) > 1.0 - 2 * SATURATION,
    ),
    "relu": Activation(
        "relu",
        lambda z: np.maximum(z, 0.0),
        lambda z, a: (z > 0).astype(float),
        lambda z, a: z <= 0,
    ),
    "linear": Activation(
        "linear",
        lambda z: z,
        lambda z, a: np.ones_like(z),
        lambda z, a: np.zeros(z.shape, dtype=bool),
    ),
}

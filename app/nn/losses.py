"""Squared error and binary cross-entropy, as mean losses over a batch, with their output derivatives.

Cross-entropy is computed from the output's pre-activation z (the logit) so that it never takes the
log of 0: log(sigmoid(z)) = -softplus(-z). With a sigmoid output its derivative with respect to z is
exactly (a - y) / n: the sigma'(z) of the chain rule cancels, which is why a saturated neuron still
learns with cross-entropy and crawls with squared error.
"""

from __future__ import annotations

import numpy as np


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) without overflow."""
    return np.logaddexp(0.0, z)


def squared_error(a: np.ndarray, y: np.ndarray) -> float:
    """C = 1/(2n) * sum (a - y)^2: the halving makes dC/da = (a - y)/n."""
    return float(0.5 * np.mean((a - y) ** 2))


def d_squared_error_d_a(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (a - y) / a.shape[0]


def cross_entropy_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """C = -1/n * sum [y log a + (1 - y) log(1 - a)] with a = sigmoid(z); always >= 0."""
    return float(np.mean(y * softplus(-z) + (1.0 - y) * softplus(z)))


def d_cross_entropy_d_z(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dC/dz for a sigmoid output: (a - y)/n, the sigma' factor cancelled."""
    return (a - y) / a.shape[0]


LOSSES = ("squared_error", "cross_entropy")

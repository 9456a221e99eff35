"""The single sigmoid neuron of the teaching texts: why cross-entropy learns where squared error crawls.

One input x, one weight w, one bias b, output a = sigma(w x + b), trained by plain gradient descent on
a tiny data set. With squared error, dC/dw = (a - y) sigma'(z) x, and sigma'(z) is almost zero when
the neuron is saturated (a near 0 or 1), so a badly wrong neuron barely moves. With cross-entropy,
dC/dw = (a - y) x: the sigma' factor cancels and the step is largest when the neuron is most wrong.
(The example follows Nielsen's "Neural Networks and Deep Learning", chapter 3: x = 1, y = 0.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.activations import sigmoid
from app.nn.losses import softplus

X = np.array([1.0])
Y = np.array([0.0])


def losses_on_grid(w: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Squared error and cross-entropy at every (w, b) of a grid (w, b broadcast together)."""
    z = w[..., None] * X + b[..., None]
    a = sigmoid(z.reshape(-1)).reshape(z.shape)
    squared = 0.5 * np.mean((a - Y) ** 2, axis=-1)
    cross = np.mean(Y * softplus(-z) + (1 - Y) * softplus(z), axis=-1)
    return {"squared_error": squared, "cross_entropy": cross}


def gradient(w: float, b: float, loss: str) -> tuple[float, float]:
    z = w * X + b
    a = sigmoid(z)
    d_loss_d_a = a - Y
    d_a_d_z = a * (1 - a)
    # Cross-entropy: dC/da = (a - y) / (a (1 - a)), so dC/dz = (a - y): the sigma' factor cancels.
    d_loss_d_z = d_loss_d_a if loss == "cross_entropy" else d_loss_d_a * d_a_d_z
    return float(np.mean(d_loss_d_z * X)), float(np.mean(d_loss_d_z))


@dataclass(frozen=True)
class NeuronPicture:
    w: np.ndarray
    b: np.ndarray
    surfaces: dict[str, np.ndarray]  # rows follow b (y), columns follow w (x)
    paths: dict[str, np.ndarray]  # (steps + 1, 2) of (w, b)
    outputs: dict[str, np.ndarray]  # the neuron's output a after each step
    losses: dict[str, np.ndarray]  # its loss after each step
    gradients: dict[str, np.ndarray]  # (steps + 1, 2): (dC/dw, dC/db) at each step


def neuron_picture(
    start: tuple[float, float] = (2.0, 2.0), lr: float = 0.15, steps: int = 300, resolution: int = 61, span: float = 4.0
) -> NeuronPicture:
    """Both loss surfaces over (w, b) and both gradient-descent paths from the same start."""
    w = np.linspace(-span, span, resolution)
    b = np.linspace(-span, span, resolution)
    ww, bb = np.meshgrid(w, b)
    surfaces = losses_on_grid(ww, bb)
    paths, outputs, losses, gradients = {}, {}, {}, {}
    for loss in ("squared_error", "cross_entropy"):
        point = np.array(start, dtype=float)
        path, slopes = [point.copy()], []
        for _ in range(steps):
            slope = np.array(gradient(point[0], point[1], loss))
            slopes.append(slope)
            point = point - lr * slope
            path.append(point.copy())
        slopes.append(np.array(gradient(point[0], point[1], loss)))
        paths[loss], gradients[loss] = np.array(path), np.array(slopes)
        outputs[loss] = sigmoid(paths[loss][:, 0] * X[0] + paths[loss][:, 1])
        losses[loss] = losses_on_grid(paths[loss][:, 0], paths[loss][:, 1])[loss]
    return NeuronPicture(w, b, surfaces, paths, outputs, losses, gradients)

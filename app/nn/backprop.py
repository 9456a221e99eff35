"""Backpropagation, written as the chain rule, layer by layer from the output back to the input.

For the last layer, dC/dz = dC/da * da/dz (for sigmoid + cross-entropy the product is (a - y)/n).
Then for each layer k, going backwards:

    dC/dW_k     = a_{k-1}^T @ dC/dz_k          (dz_k/dW_k = a_{k-1})
    dC/db_k     = sum over the batch of dC/dz_k
    dC/da_{k-1} = dC/dz_k @ W_k^T              (dz_k/da_{k-1} = W_k)
    dC/dz_{k-1} = dC/da_{k-1} * act'(z_{k-1})  (the local slope of the activation)

so the error computed at the output is carried back to the front, one local derivative at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn import losses
from app.nn.activations import ACTIVATIONS
from app.nn.model import Architecture, ForwardPass, flatten, forward, unflatten


@dataclass(frozen=True)
class Gradient:
    loss: float  # data loss + L2 and L1 penalties
    flat: np.ndarray  # dC/dtheta, shaped like theta
    layer_norms: list[float]  # ||dC/dW_k|| per layer: vanishing and exploding gradients show here
    saturated: float  # share of hidden units (over the batch) whose activation has all but stopped learning
    output: np.ndarray  # the network's output on the batch, from the same forward pass


def data_loss(result: ForwardPass, y: np.ndarray, loss: str) -> float:
    if loss == "cross_entropy":
        return losses.cross_entropy_from_logits(result.logit, y)
    return losses.squared_error(result.output, y)


def d_loss_d_output_z(result: ForwardPass, y: np.ndarray, arch: Architecture, loss: str) -> np.ndarray:
    """dC/dz at the output layer, shape (batch, 1)."""
    a, z = result.output, result.logit
    if loss == "cross_entropy":
        return losses.d_cross_entropy_d_z(a, y)[:, None]
    d_loss_d_a = losses.d_squared_error_d_a(a, y)
    d_a_d_z = ACTIVATIONS[arch.output].derivative(z, a)
    return (d_loss_d_a * d_a_d_z)[:, None]


def penalty(theta: np.ndarray, arch: Architecture, l2: float, l1: float = 0.0) -> float:
    """l2 · ½Σw² + l1 · Σ|w| over the weights only: biases are not penalised (as in TensorFlow Playground)."""
    layers = unflatten(theta, arch)
    return 0.5 * l2 * sum(float(np.sum(w * w)) for w, _ in layers) + l1 * sum(
        float(np.sum(np.abs(w))) for w, _ in layers
    )


def gradient(
    theta: np.ndarray, arch: Architecture, x: np.ndarray, y: np.ndarray, loss: str, l2: float, l1: float = 0.0
) -> Gradient:
    """Loss and dC/dtheta on the batch (x, y) by backpropagation; L1 contributes its subgradient l1·sign(w) (0 at 0)."""
    result = forward(theta, arch, x)
    layers = unflatten(theta, arch)
    cost = penalty(theta, arch, l2, l1)
    d_loss_d_z = d_loss_d_output_z(result, y, arch, loss)
    grads: list[tuple[np.ndarray, np.ndarray]] = [None] * arch.layers  # type: ignore[list-item]
    for k in reversed(range(arch.layers)):
        w, _ = layers[k]
        a_prev = result.activations[k]
        d_loss_d_w = a_prev.T @ d_loss_d_z + l2 * w + l1 * np.sign(w)
        d_loss_d_b = d_loss_d_z.sum(axis=0)
        grads[k] = (d_loss_d_w, d_loss_d_b)
        if k > 0:
            d_loss_d_a_prev = d_loss_d_z @ w.T
            hidden = ACTIVATIONS[arch.activation_of(k - 1)]
            d_a_prev_d_z_prev = hidden.derivative(result.zs[k - 1], a_prev)
            d_loss_d_z = d_loss_d_a_prev * d_a_prev_d_z_prev
    hidden_outputs = [
        ACTIVATIONS[arch.activation].saturated(result.zs[k], result.activations[k + 1]) for k in range(arch.layers - 1)
    ]
    saturated = float(np.mean(np.concatenate([h.ravel() for h in hidden_outputs]))) if hidden_outputs else 0.0
    return Gradient(
        loss=data_loss(result, y, loss) + cost,
        flat=flatten(grads),
        layer_norms=[float(np.linalg.norm(gw)) for gw, _ in grads],
        saturated=saturated,
        output=result.output,
    )


def total_loss(
    theta: np.ndarray, arch: Architecture, x: np.ndarray, y: np.ndarray, loss: str, l2: float, l1: float = 0.0
) -> float:
    """The same loss as ``gradient`` reports, without the backward pass (for finite differences and landscapes)."""
    return data_loss(forward(theta, arch, x), y, loss) + penalty(theta, arch, l2, l1)


@dataclass(frozen=True)
class ChainLink:
    """dC/dw for one weight of the last layer, split into the factors of the chain rule, for one example."""

    output: float  # y_hat, the network's output on the example
    d_loss_d_output: float  # dC/dy_hat
    d_output_d_z: float  # dy_hat/dz (sigma'(z) for a sigmoid output)
    d_z_d_w: float  # the input to that weight, a_{k-1}
    product: float
    finite_difference: float


def chain_for_output_weight(
    theta: np.ndarray, arch: Architecture, x: np.ndarray, y: float, loss: str, unit: int
) -> ChainLink:
    """The chain rule for the weight from hidden unit ``unit`` (or input) into the output, on one example."""
    single_x, single_y = x[None, :], np.array([y])
    result = forward(theta, arch, single_x)
    a, z = float(result.output[0]), float(result.logit[0])
    if loss == "cross_entropy":
        d_loss_d_output = (a - y) / (a * (1.0 - a)) if 0.0 < a < 1.0 else float("nan")
    else:
        d_loss_d_output = a - y
    d_output_d_z = float(ACTIVATIONS[arch.output].derivative(np.array(z), np.array(a)))
    d_z_d_w = float(result.activations[-2][0, unit])
    # The flat index of W_last[unit, 0]: everything before the last layer, then row ``unit``.
    index = sum(n_in * n_out + n_out for n_in, n_out in arch.shapes()[:-1]) + unit
    h = 1e-6
    plus, minus = theta.copy(), theta.copy()
    plus[index] += h
    minus[index] -= h
    up = total_loss(plus, arch, single_x, single_y, loss, 0.0)
    down = total_loss(minus, arch, single_x, single_y, loss, 0.0)
    numeric = (up - down) / (2 * h)
    product = d_loss_d_output * d_output_d_z * d_z_d_w
    if loss == "cross_entropy":  # (a - y)/(a(1-a)) * a(1-a) * input, computed without dividing by a tiny sigma'
        product = (a - y) * d_z_d_w
    return ChainLink(a, d_loss_d_output, d_output_d_z, d_z_d_w, product, numeric)

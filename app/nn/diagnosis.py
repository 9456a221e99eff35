"""Why a training run stopped where it did: identical hidden units, chance-level loss, a start that explodes.

These are pure functions of the weights and the data, so a run's ending message states something a
test can check against the run itself.
"""

from __future__ import annotations

import numpy as np

from app.nn.backprop import gradient
from app.nn.model import Architecture, initial_parameters, unflatten

EXPLODING_START = 10.0  # a starting gradient this many times the Xavier/He one: the start is to blame


def identical_unit_layers(theta: np.ndarray, arch: Architecture) -> list[int]:
    """1-based hidden layers (of two or more units) whose units are all the same.

    Units of a layer are the same when they have the same incoming weights, the same bias and the same
    outgoing weights. Then they compute the same thing on every example and get the same gradient, so
    no first-order optimizer (each acts elementwise) can ever make them differ: the layer works as one unit.
    """
    layers = unflatten(theta, arch)
    out = []
    for k in range(arch.layers - 1):
        w_in, b = layers[k]
        w_out = layers[k + 1][0]
        if w_in.shape[1] < 2:
            continue
        same_in = np.allclose(w_in, w_in[:, :1], rtol=0, atol=1e-12)
        same_bias = np.allclose(b, b[0], rtol=0, atol=1e-12)
        same_out = np.allclose(w_out, w_out[:1, :], rtol=0, atol=1e-12)
        if same_in and same_bias and same_out:
            out.append(k + 1)
    return out


def chance_loss(y: np.ndarray, loss: str) -> float:
    """The loss of the best constant answer (the mean target), which needs no input at all."""
    mean = float(np.mean(y))
    if loss == "cross_entropy":
        p = min(max(mean, 1e-12), 1 - 1e-12)
        return float(-(mean * np.log(p) + (1 - mean) * np.log(1 - p)))
    return float(0.5 * np.mean((y - mean) ** 2))


def at_chance(value: float, y: np.ndarray, loss: str) -> bool:
    chance = chance_loss(y, loss)
    return abs(value - chance) <= 1e-3 * max(chance, 1e-12)


def start_gradient_ratio(
    theta0: np.ndarray, arch: Architecture, init: str, seed: int, x: np.ndarray, y: np.ndarray, loss: str, l2: float
) -> float | None:
    """How many times larger the gradient at this start is than at the Xavier/He start of the same network.

    The Xavier/He start is drawn from the same generator as every start, so for "large" it is literally
    the same draws at half the size. None when the run already started there or a gradient is not finite.
    """
    if init == "xavier_he":
        return None
    reference = initial_parameters(arch, "xavier_he", np.random.default_rng([seed, 1]))
    with np.errstate(all="ignore"):
        here = float(np.linalg.norm(gradient(theta0, arch, x, y, loss, l2).flat))
        there = float(np.linalg.norm(gradient(reference, arch, x, y, loss, l2).flat))
    if not (np.isfinite(here) and np.isfinite(there)) or there <= 0:
        return None
    return here / there

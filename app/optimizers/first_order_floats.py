"""The first-order rules of first_order.py again, on lists of Python floats, for problems of 1 or 2 dimensions.

On a vector of two numbers a NumPy operation costs about a microsecond, nearly all of it the call; the same
operation on two Python floats costs a tenth. A run on a 1D or 2D function takes these paths; a network
(thousands of weights) takes the NumPy ones. Both must give the same bits, so each rule here repeats its
NumPy twin operation for operation, in the same order (tests/test_float_rules.py checks them against each
other): IEEE float64 ``+ - * /`` and square roots are correctly rounded in both, and where NumPy and Python
differ (a square root of a negative number, the sign of zero, NaN in a maximum or a clip) the helpers below
answer as NumPy does. States are the same NamedTuples holding lists instead of arrays; vectors are lists.
"""

from __future__ import annotations

import math
from typing import Any

from app.optimizers.base import Hp

Vector = list[float]
_NAN = math.nan


def sqrt(x: float) -> float:
    """np.sqrt: NaN below zero instead of an error; -0.0 stays -0.0."""
    return math.sqrt(x) if x >= 0.0 else _NAN


def sign(x: float) -> float:
    """np.sign: 0.0 for either zero, NaN for NaN."""
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else x if x != x else 0.0


def maximum(a: float, b: float) -> float:
    """np.maximum: NaN if either is NaN; of two equal numbers (0.0 and -0.0), the second."""
    return a if a != a else b if b != b else a if a > b else b


def clip(x: float, low: float, high: float) -> float:
    """np.clip: raised to ``low``, then lowered to ``high`` (so ``high`` wins if they cross); NaN passes through."""
    x = x if x != x or not x < low else low
    return x if x != x or not x > high else high


def _lerp(start: Vector, end: Vector, weight: float) -> Vector:
    if weight < 0.5:
        return [s + weight * (e - s) for s, e in zip(start, end, strict=True)]
    return [e - (e - s) * (1 - weight) for s, e in zip(start, end, strict=True)]


def _with_weight_decay(grad: Vector, params: Vector, hp: Hp) -> Vector:
    decay = hp.get("weight_decay", 0.0)
    return [g + decay * p for g, p in zip(grad, params, strict=True)] if decay else grad


def _scaled(factor: float, vector: Vector) -> Vector:
    return [factor * v for v in vector]


def gd(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    return _scaled(-lr, _with_weight_decay(grad, params, hp)), type(state)(state.t + 1), {}


def _momentum_buffer(grad: Vector, state: Any, mu: float, dampening: float) -> Vector:
    if state.t == 0 or mu == 0:
        return list(grad)
    keep = 1 - dampening
    return [mu * b + keep * g for b, g in zip(state.buffer, grad, strict=True)]


def momentum(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    grad = _with_weight_decay(grad, params, hp)
    buffer = _momentum_buffer(grad, state, hp["momentum"], hp["dampening"])
    delta = _scaled(-lr, buffer)
    return delta, type(state)(state.t + 1, buffer), {"velocity": _scaled(-lr, buffer), "momentum_buffer": buffer}


def nesterov(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    grad = _with_weight_decay(grad, params, hp)
    mu = hp["momentum"]
    buffer = _momentum_buffer(grad, state, mu, 0.0)
    direction = [g + mu * b for g, b in zip(grad, buffer, strict=True)]
    velocity = _scaled(-lr, buffer)
    return _scaled(-lr, direction), type(state)(state.t + 1, buffer), {"velocity": velocity, "momentum_buffer": buffer}


def adagrad(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    t = state.t + 1
    grad = _with_weight_decay(grad, params, hp)
    clr = lr / (1 + (t - 1) * hp["lr_decay"])
    eps = hp["eps"]
    sum_sq = [s + g * g for s, g in zip(state.sum_sq, grad, strict=True)]
    delta = [-clr * (g / (sqrt(s) + eps)) for g, s in zip(grad, sum_sq, strict=True)]
    return delta, type(state)(t, sum_sq), {"accumulator": sum_sq, "lr": clr}


def rmsprop(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    alpha, mu, eps = hp["alpha"], hp["momentum"], hp["eps"]
    grad = _with_weight_decay(grad, params, hp)
    rest = 1 - alpha
    square_avg = [alpha * v + rest * (g * g) for v, g in zip(state.square_avg, grad, strict=True)]
    grad_avg = state.grad_avg
    if hp["centered"]:
        grad_avg = _lerp(grad_avg, grad, 1 - alpha)
        avg = [sqrt(v - a * a) + eps for v, a in zip(square_avg, grad_avg, strict=True)]
    else:
        avg = [sqrt(v) + eps for v in square_avg]
    buffer = state.buffer
    extras: dict[str, Any] = {"square_avg": square_avg}
    if mu > 0:
        buffer = [mu * b + g / a for b, g, a in zip(buffer, grad, avg, strict=True)]
        delta = _scaled(-lr, buffer)
        extras["velocity"] = delta
    else:
        delta = [-lr * (g / a) for g, a in zip(grad, avg, strict=True)]
    return delta, type(state)(state.t + 1, square_avg, grad_avg, buffer), extras


def _adam_step(grad: Vector, state: Any, hp: Hp, lr: float):
    t = state.t + 1
    b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
    exp_avg = _lerp(state.exp_avg, grad, 1 - b1)
    rest = 1 - b2
    exp_avg_sq = [b2 * v + rest * (g * g) for v, g in zip(state.exp_avg_sq, grad, strict=True)]
    bias1, bias2 = 1 - b1**t, 1 - b2**t
    root2 = bias2**0.5
    max_exp_avg_sq = state.max_exp_avg_sq
    if hp["amsgrad"]:
        max_exp_avg_sq = [maximum(a, v) for a, v in zip(max_exp_avg_sq, exp_avg_sq, strict=True)]
        denom = [sqrt(v) / root2 + eps for v in max_exp_avg_sq]
    else:
        denom = [sqrt(v) / root2 + eps for v in exp_avg_sq]
    step = -(lr / bias1)
    delta = [step * (m / d) for m, d in zip(exp_avg, denom, strict=True)]
    extras = {"velocity": [-lr * m / bias1 for m in exp_avg], "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
    return delta, type(state)(t, exp_avg, exp_avg_sq, max_exp_avg_sq), extras


def adam(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    return _adam_step(_with_weight_decay(grad, params, hp), state, hp, lr)


def adamw(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    shrink = -lr * hp["weight_decay"]
    decay = [shrink * p for p in params]
    delta, new_state, extras = _adam_step(grad, state, hp, lr)
    return [d + s for d, s in zip(decay, delta, strict=True)], new_state, {**extras, "weight_decay_step": decay}


def rprop(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    eta_plus, eta_minus, low, high = hp["eta_plus"], hp["eta_minus"], hp["step_min"], hp["step_max"]
    agreement = [sign(g * p) for g, p in zip(grad, state.prev, strict=True)]
    factor = [eta_plus if a > 0 else eta_minus if a < 0 else 1.0 for a in agreement]
    step_size = [clip(s * f, low, high) for s, f in zip(state.step_size, factor, strict=True)]
    grad = [0.0 if a < 0 else g for a, g in zip(agreement, grad, strict=True)]
    delta = [-sign(g) * s for g, s in zip(grad, step_size, strict=True)]
    return delta, type(state)(state.t + 1, grad, step_size), {"step_sizes": step_size, "lr": None}


def sign_gd(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    size = lr * hp["decay"] ** state.t
    return [-size * sign(g) for g in grad], type(state)(state.t + 1), {"lr": size}

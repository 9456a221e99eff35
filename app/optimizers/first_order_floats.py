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


def _with_weight_decay(grad: Vector, params: Vector, hp: Hp) -> Vector:
    decay = hp.get("weight_decay", 0.0)
    return [g + decay * p for g, p in zip(grad, params, strict=True)] if decay else grad


# Each rule below walks the coordinates once, in one loop, doing per coordinate exactly what its NumPy twin does
# to the whole vector: a vector of one or two numbers costs a loop, not one list comprehension per operation.
# A lerp is torch's, as first_order._lerp: start + w·(end − start) below w = 0.5, else end − (end − start)·(1 − w).


def gd(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    factor = -lr
    return [factor * g for g in _with_weight_decay(grad, params, hp)], type(state)(state.t + 1), {}


def momentum(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    mu, keep, factor = hp["momentum"], 1 - hp["dampening"], -lr
    fresh = state.t == 0 or mu == 0  # the first buffer is the slope itself
    buffer, delta = [], []
    for g, b in zip(_with_weight_decay(grad, params, hp), state.buffer, strict=True):
        b = g if fresh else mu * b + keep * g
        buffer.append(b)
        delta.append(factor * b)
    return delta, type(state)(state.t + 1, buffer), {"velocity": list(delta), "momentum_buffer": buffer}


def nesterov(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    mu, keep, factor = hp["momentum"], 1 - 0.0, -lr
    fresh = state.t == 0 or mu == 0
    buffer, delta, velocity = [], [], []
    for g, b in zip(_with_weight_decay(grad, params, hp), state.buffer, strict=True):
        b = g if fresh else mu * b + keep * g
        buffer.append(b)
        delta.append(factor * (g + mu * b))
        velocity.append(factor * b)
    return delta, type(state)(state.t + 1, buffer), {"velocity": velocity, "momentum_buffer": buffer}


def adagrad(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    t = state.t + 1
    clr = lr / (1 + (t - 1) * hp["lr_decay"])
    eps, factor = hp["eps"], -clr
    sum_sq, delta = [], []
    for g, s in zip(_with_weight_decay(grad, params, hp), state.sum_sq, strict=True):
        s = s + g * g
        sum_sq.append(s)
        delta.append(factor * (g / (sqrt(s) + eps)))
    return delta, type(state)(t, sum_sq), {"accumulator": sum_sq, "lr": clr}


def rmsprop(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    alpha, mu, eps, centered, factor = hp["alpha"], hp["momentum"], hp["eps"], hp["centered"], -lr
    rest = weight = 1 - alpha
    back = 1 - weight
    square_avg, grad_avg, buffer, delta = [], [], [], []
    coordinates = zip(_with_weight_decay(grad, params, hp), state.square_avg, state.grad_avg, state.buffer, strict=True)
    for g, v, a, b in coordinates:
        v = alpha * v + rest * (g * g)
        if centered:
            a = a + weight * (g - a) if weight < 0.5 else g - (g - a) * back
            avg = sqrt(v - a * a) + eps
        else:
            avg = sqrt(v) + eps
        if mu > 0:
            b = mu * b + g / avg
            delta.append(factor * b)
        else:
            delta.append(factor * (g / avg))
        square_avg.append(v)
        grad_avg.append(a)
        buffer.append(b)
    extras: dict[str, Any] = {"square_avg": square_avg}
    if mu > 0:
        extras["velocity"] = delta
    return delta, type(state)(state.t + 1, square_avg, grad_avg, buffer), extras


def _adam_step(grad: Vector, state: Any, hp: Hp, lr: float):
    t = state.t + 1
    b1, b2, eps, amsgrad = hp["beta1"], hp["beta2"], hp["eps"], hp["amsgrad"]
    weight, rest = 1 - b1, 1 - b2
    back = 1 - weight
    bias1, bias2 = 1 - b1**t, 1 - b2**t
    root2 = bias2**0.5
    step, factor = -(lr / bias1), -lr
    delta, exp_avg, exp_avg_sq, max_exp_avg_sq, velocity = [], [], [], [], []
    for g, m, v, top in zip(grad, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq, strict=True):
        m = m + weight * (g - m) if weight < 0.5 else g - (g - m) * back
        v = b2 * v + rest * (g * g)
        if amsgrad:
            top = maximum(top, v)
            denom = sqrt(top) / root2 + eps
        else:
            denom = sqrt(v) / root2 + eps
        delta.append(step * (m / denom))
        velocity.append(factor * m / bias1)
        exp_avg.append(m)
        exp_avg_sq.append(v)
        max_exp_avg_sq.append(top)
    extras = {"velocity": velocity, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
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
    kept, step_size, delta = [], [], []
    for g, p, s in zip(grad, state.prev, state.step_size, strict=True):
        agreement = sign(g * p)
        s = clip(s * (eta_plus if agreement > 0 else eta_minus if agreement < 0 else 1.0), low, high)
        g = 0.0 if agreement < 0 else g  # a sign change: skip this coordinate once
        kept.append(g)
        step_size.append(s)
        delta.append(-sign(g) * s)
    return delta, type(state)(state.t + 1, kept, step_size), {"step_sizes": step_size, "lr": None}


def sign_gd(grad: Vector, state: Any, params: Vector, hp: Hp, lr: float):
    size = lr * hp["decay"] ** state.t
    return [-size * sign(g) for g in grad], type(state)(state.t + 1), {"lr": size}

"""First-order methods, with torch.optim's names, defaults and update rules.

Each method is a pure ``update(grad, state, params, hp, lr) -> (delta,
new_state, extras)``: the new point is ``params + delta``. The docstring-like
``description`` of each states the rule as torch's documentation writes it, so
a lecturer can say "this is exactly what PyTorch does". ``lr`` arrives already
scheduled. States are NamedTuples of fresh arrays; nothing is mutated in place.
Each rule has a twin on Python floats (first_order_floats.py) that 1D and 2D
problems take: same operations, same order, same bits, a tenth of the cost.

Extras are in parameter units so a page can draw them as arrows at the
walker: ``velocity`` is the displacement the accumulated momentum alone would
cause (``-lr * b``), not the raw buffer, which is reported beside it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from app.optimizers import first_order_floats as floats
from app.optimizers.base import GradientOptimizer, Hp, Hyperparameter, switch


def lr_param(default: float, torch_default: float | None = None) -> Hyperparameter:
    note = "" if torch_default is None else f" PyTorch's default is {torch_default:g}."
    return Hyperparameter("lr", default, 1e-6, 1e3, "Learning rate: how far each step goes." + note, log_scale=True)


MOMENTUM = Hyperparameter("momentum", 0.9, 0.0, 0.999, "Share of the previous step kept (mu).")
EPS_TINY = Hyperparameter("eps", 1e-10, 1e-12, 1.0, "Added to the denominator to avoid dividing by zero.", True)
EPS = Hyperparameter("eps", 1e-8, 1e-12, 1.0, "Added to the denominator to avoid dividing by zero.", True)
ALPHA = Hyperparameter("alpha", 0.99, 0.0, 0.9999, "Smoothing of the running average of squared gradients.")
BETA1 = Hyperparameter("beta1", 0.9, 0.0, 0.9999, "Smoothing of the running average of gradients.")
BETA2 = Hyperparameter("beta2", 0.999, 0.0, 0.9999, "Smoothing of the running average of squared gradients.")
WEIGHT_DECAY = Hyperparameter(
    "weight_decay", 0.0, 0.0, 10.0, "L2 penalty: weight_decay·θ is added to the slope, pulling θ towards 0."
)
DAMPENING = Hyperparameter("dampening", 0.0, 0.0, 1.0, "Share of each new slope left out of the momentum buffer.")
AMSGRAD = switch("amsgrad", "Divide by the largest running average of squared gradients so far (AMSGrad).")


class Step(NamedTuple):
    t: int  # updates done so far


class MomentumState(NamedTuple):
    t: int
    buffer: np.ndarray  # torch's momentum_buffer b


class SumState(NamedTuple):
    t: int
    sum_sq: np.ndarray  # torch Adagrad's state_sum


class RmspropState(NamedTuple):
    t: int
    square_avg: np.ndarray
    grad_avg: np.ndarray  # used when centered
    buffer: np.ndarray  # used when momentum > 0


class AdamState(NamedTuple):
    t: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray  # used when amsgrad


class RpropState(NamedTuple):
    t: int
    prev: np.ndarray
    step_size: np.ndarray


def _zeros(params: np.ndarray) -> np.ndarray:
    return np.zeros_like(params, dtype=float)


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """torch.lerp's arithmetic (its two branches keep the result exact at either end)."""
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def _with_weight_decay(grad: np.ndarray, params: np.ndarray, hp: Hp) -> np.ndarray:
    """torch's coupled (L2) weight decay: the slope of f + weight_decay/2·|θ|²."""
    decay = hp.get("weight_decay", 0.0)
    return grad + decay * params if decay else grad


# ----- plain gradient descent -------------------------------------------------------------------------------------


def _gd(grad, state: Step, params, hp: Hp, lr: float):
    return -lr * _with_weight_decay(grad, params, hp), Step(state.t + 1), {}


gd = GradientOptimizer(
    id="gd",
    name="Gradient descent",
    hyperparameters=(lr_param(1e-3), WEIGHT_DECAY),
    init_state=lambda params, hp: Step(0),
    update=_gd,
    update_floats=floats.gd,
    description="Step against the slope: θ ← θ − lr·g (torch.optim.SGD without momentum; Cauchy 1847). "
    "With weight_decay λ the slope is g + λ·θ.",
)


# ----- momentum (heavy ball) and Nesterov, as torch.optim.SGD -------------------------------------------------------


def _momentum_buffer(grad, state: MomentumState, mu: float, dampening: float) -> np.ndarray:
    """torch.optim.SGD: the first buffer is the slope itself; later b ← μ·b + (1 − dampening)·g."""
    if state.t == 0 or mu == 0:  # torch keeps no buffer at all without momentum
        return grad.copy()
    if not dampening:  # 1.0·g is g to the bit: skip a NumPy call that changes nothing (the usual case)
        return mu * state.buffer + grad
    return mu * state.buffer + (1 - dampening) * grad


def _momentum(grad, state: MomentumState, params, hp: Hp, lr: float):
    grad = _with_weight_decay(grad, params, hp)
    buffer = _momentum_buffer(grad, state, hp["momentum"], hp["dampening"])
    delta = -lr * buffer  # the velocity too: arrays are never changed in place, so one serves both
    return delta, MomentumState(state.t + 1, buffer), {"velocity": delta, "momentum_buffer": buffer}


def _nesterov(grad, state: MomentumState, params, hp: Hp, lr: float):
    grad = _with_weight_decay(grad, params, hp)
    buffer = _momentum_buffer(grad, state, hp["momentum"], 0.0)  # torch refuses dampening with nesterov
    direction = grad + hp["momentum"] * buffer
    return -lr * direction, MomentumState(state.t + 1, buffer), {"velocity": -lr * buffer, "momentum_buffer": buffer}


momentum = GradientOptimizer(
    id="momentum",
    name="Momentum",
    hyperparameters=(lr_param(1e-3), MOMENTUM, DAMPENING, WEIGHT_DECAY),
    init_state=lambda params, hp: MomentumState(0, _zeros(params)),
    update=_momentum,
    update_floats=floats.momentum,
    description="A heavy ball that keeps part of its speed: b ← μ·b + (1 − dampening)·g, θ ← θ − lr·b "
    "(torch.optim.SGD with momentum; Polyak 1964). PyTorch's momentum default is 0; here it is 0.9, the value "
    "everyone uses.",
)

nesterov = GradientOptimizer(
    id="nesterov",
    name="Nesterov momentum",
    hyperparameters=(lr_param(1e-3), MOMENTUM, WEIGHT_DECAY),
    init_state=lambda params, hp: MomentumState(0, _zeros(params)),
    update=_nesterov,
    update_floats=floats.nesterov,
    description="Momentum that looks ahead: b ← μ·b + g, θ ← θ − lr·(g + μ·b) (torch.optim.SGD with "
    "nesterov=True; Nesterov 1983, Sutskever et al. 2013).",
)


# ----- adaptive methods ---------------------------------------------------------------------------------------------


def _adagrad(grad, state: SumState, params, hp: Hp, lr: float):
    t = state.t + 1
    grad = _with_weight_decay(grad, params, hp)
    clr = lr / (1 + (t - 1) * hp["lr_decay"])
    sum_sq = state.sum_sq + grad * grad
    delta = -clr * (grad / (np.sqrt(sum_sq) + hp["eps"]))
    return delta, SumState(t, sum_sq), {"accumulator": sum_sq, "lr": clr}


adagrad = GradientOptimizer(
    id="adagrad",
    name="AdaGrad",
    hyperparameters=(
        lr_param(1e-2),
        EPS_TINY,
        Hyperparameter("lr_decay", 0.0, 0.0, 10.0, "The learning rate of step t is lr / (1 + (t − 1)·lr_decay)."),
        Hyperparameter(
            "initial_accumulator_value", 0.0, 0.0, 1e3, "Where the sum of squared slopes starts.", log_scale=False
        ),
        WEIGHT_DECAY,
    ),
    init_state=lambda params, hp: SumState(0, np.full_like(params, hp["initial_accumulator_value"], dtype=float)),
    update=_adagrad,
    update_floats=floats.adagrad,
    description="Each coordinate's step shrinks with the sum of its past squared slopes: s ← s + g², "
    "θ ← θ − lr·g / (√s + ε) (torch.optim.Adagrad; Duchi et al. 2011).",
)


def _rmsprop(grad, state: RmspropState, params, hp: Hp, lr: float):
    alpha, mu = hp["alpha"], hp["momentum"]
    grad = _with_weight_decay(grad, params, hp)
    square_avg = alpha * state.square_avg + (1 - alpha) * (grad * grad)
    grad_avg = state.grad_avg
    if hp["centered"]:
        grad_avg = _lerp(grad_avg, grad, 1 - alpha)
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + hp["eps"]
    else:
        avg = np.sqrt(square_avg) + hp["eps"]
    buffer = state.buffer
    extras = {"square_avg": square_avg}
    if mu > 0:
        buffer = mu * buffer + grad / avg
        delta = -lr * buffer
        extras["velocity"] = delta
    else:
        delta = -lr * (grad / avg)
    return delta, RmspropState(state.t + 1, square_avg, grad_avg, buffer), extras


rmsprop = GradientOptimizer(
    id="rmsprop",
    name="RMSProp",
    hyperparameters=(
        lr_param(1e-2),
        ALPHA,
        EPS,
        Hyperparameter("momentum", 0.0, 0.0, 0.999, "Momentum on the divided step (PyTorch's default 0: none)."),
        switch("centered", "Divide by the running variance of the slope instead of its mean square."),
        WEIGHT_DECAY,
    ),
    init_state=lambda params, hp: RmspropState(0, _zeros(params), _zeros(params), _zeros(params)),
    update=_rmsprop,
    update_floats=floats.rmsprop,
    description="Divide each step by a running average of recent squared slopes: v ← α·v + (1−α)·g², "
    "θ ← θ − lr·g / (√v + ε) (torch.optim.RMSprop; Hinton's lecture 6e, 2012). Centered, v is replaced by "
    "v − ḡ², the variance, where ḡ is a running average of g.",
)


def _adam_step(grad, state: AdamState, hp: Hp, lr: float):
    """Torch's arithmetic order: denom = √v / √(1−β2^t) + ε, step = lr / (1−β1^t)."""
    t = state.t + 1
    b1, b2 = hp["beta1"], hp["beta2"]
    exp_avg = _lerp(state.exp_avg, grad, 1 - b1)
    exp_avg_sq = b2 * state.exp_avg_sq + (1 - b2) * (grad * grad)
    bias1, bias2 = 1 - b1**t, 1 - b2**t
    max_exp_avg_sq = state.max_exp_avg_sq
    if hp["amsgrad"]:
        max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
        denom = np.sqrt(max_exp_avg_sq) / bias2**0.5 + hp["eps"]
    else:
        denom = np.sqrt(exp_avg_sq) / bias2**0.5 + hp["eps"]
    delta = -(lr / bias1) * (exp_avg / denom)
    extras = {"velocity": -lr * exp_avg / bias1, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
    return delta, AdamState(t, exp_avg, exp_avg_sq, max_exp_avg_sq), extras


def _adam(grad, state: AdamState, params, hp: Hp, lr: float):
    return _adam_step(_with_weight_decay(grad, params, hp), state, hp, lr)


def _adamw(grad, state: AdamState, params, hp: Hp, lr: float):
    decay = -lr * hp["weight_decay"] * params  # decoupled: shrink the weights first, then the Adam step
    delta, new_state, extras = _adam_step(grad, state, hp, lr)
    return decay + delta, new_state, {**extras, "weight_decay_step": decay}


def _adam_init(params, hp):
    return AdamState(0, _zeros(params), _zeros(params), _zeros(params))


adam = GradientOptimizer(
    id="adam",
    name="Adam",
    hyperparameters=(lr_param(1e-3), BETA1, BETA2, EPS, WEIGHT_DECAY, AMSGRAD),
    init_state=_adam_init,
    update=_adam,
    update_floats=floats.adam,
    description="Momentum plus RMSProp with bias correction: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², "
    "θ ← θ − lr·m̂ / (√v̂ + ε) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t) (torch.optim.Adam; Kingma & Ba 2015). "
    "AMSGrad divides by the largest v̂ so far (Reddi et al. 2018).",
)

adamw = GradientOptimizer(
    id="adamw",
    name="AdamW",
    hyperparameters=(
        lr_param(1e-3),
        BETA1,
        BETA2,
        EPS,
        Hyperparameter("weight_decay", 1e-2, 0.0, 10.0, "Pulls every parameter towards zero each step."),
        AMSGRAD,
    ),
    init_state=_adam_init,
    update=_adamw,
    update_floats=floats.adamw,
    description="Adam with decoupled weight decay: θ ← θ − lr·λ·θ, then the Adam step (torch.optim.AdamW; "
    "Loshchilov & Hutter 2019). The decay moves the minimum towards the origin.",
)


# ----- sign-based methods -------------------------------------------------------------------------------------------


def _rprop(grad, state: RpropState, params, hp: Hp, lr: float):
    agreement = np.sign(grad * state.prev)
    factor = np.where(agreement > 0, hp["eta_plus"], np.where(agreement < 0, hp["eta_minus"], 1.0))
    step_size = np.clip(state.step_size * factor, hp["step_min"], hp["step_max"])
    grad = np.where(agreement < 0, 0.0, grad)  # a sign change: undo nothing, just skip this coordinate once
    delta = -np.sign(grad) * step_size
    # No single learning rate describes the step: each coordinate has its own (step_sizes), so lr is None.
    return delta, RpropState(state.t + 1, grad, step_size), {"step_sizes": step_size, "lr": None}


rprop = GradientOptimizer(
    id="rprop",
    name="Rprop",
    hyperparameters=(
        lr_param(1e-2),
        Hyperparameter("eta_minus", 0.5, 0.01, 0.999, "Step-size factor after the slope changes sign."),
        Hyperparameter("eta_plus", 1.2, 1.001, 5.0, "Step-size factor while the slope keeps its sign."),
        Hyperparameter("step_min", 1e-6, 1e-12, 1.0, "Smallest step size.", log_scale=True),
        Hyperparameter("step_max", 50.0, 1e-3, 1e3, "Largest step size.", log_scale=True),
    ),
    init_state=lambda params, hp: RpropState(0, _zeros(params), np.full_like(params, hp["lr"], dtype=float)),
    update=_rprop,
    update_floats=floats.rprop,
    description="Only the sign of each slope counts: each coordinate keeps its own step size, grown by η+ "
    "while the sign holds and cut by η− when it flips; θ ← θ − step·sign(g) (torch.optim.Rprop; Riedmiller & "
    "Braun 1993). lr only sets the first step size, so schedules have no effect after step 1.",
)


def _sign_gd(grad, state: Step, params, hp: Hp, lr: float):
    size = lr * hp["decay"] ** state.t
    return -size * np.sign(grad), Step(state.t + 1), {"lr": size}  # the size really used, not the first one


sign_gd = GradientOptimizer(
    id="sign_gd",
    name="Sign descent",
    hyperparameters=(
        Hyperparameter("lr", 0.5, 1e-6, 1e3, "Size of the first step along each coordinate.", log_scale=True),
        Hyperparameter("decay", 0.95, 0.5, 1.0, "Each step is this times the previous one."),
    ),
    init_state=lambda params, hp: Step(0),
    update=_sign_gd,
    update_floats=floats.sign_gd,
    description="The simplest idea of all: fixed-size steps along the sign of the slope, the size shrinking as "
    "training goes on: θ ← θ − lr·decay^(t−1)·sign(g). How steep the slope is does not matter, only which way it goes.",
)

OPTIMIZERS = (gd, momentum, nesterov, adagrad, rmsprop, adam, adamw, rprop, sign_gd)

"""First-order methods, with torch.optim's names, defaults and update rules.

Each method is a pure ``update(grad, state, params, hp, lr) -> (delta,
new_state, extras)``: the new point is ``params + delta``. The docstring-like
``description`` of each states the rule as torch's documentation writes it, so
a lecturer can say "this is exactly what PyTorch does". ``lr`` arrives already
scheduled. States are NamedTuples of fresh arrays; nothing is mutated in place.

Extras are in parameter units so a page can draw them as arrows at the
walker: ``velocity`` is the displacement the accumulated momentum alone would
cause (``-lr * b``), not the raw buffer, which is reported beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from app.optimizers.base import GradientOptimizer, Hyperparameter

Hp = Mapping[str, float]


def lr_param(default: float, torch_default: float | None = None) -> Hyperparameter:
    note = "" if torch_default is None else f" PyTorch's default is {torch_default:g}."
    return Hyperparameter("lr", default, 1e-6, 1e3, "Learning rate: how far each step goes." + note, log_scale=True)


MOMENTUM = Hyperparameter("momentum", 0.9, 0.0, 0.999, "Share of the previous step kept (mu).")
EPS_TINY = Hyperparameter("eps", 1e-10, 1e-12, 1.0, "Added to the denominator to avoid dividing by zero.", True)
EPS = Hyperparameter("eps", 1e-8, 1e-12, 1.0, "Added to the denominator to avoid dividing by zero.", True)
ALPHA = Hyperparameter("alpha", 0.99, 0.0, 0.9999, "Smoothing of the running average of squared gradients.")
BETA1 = Hyperparameter("beta1", 0.9, 0.0, 0.9999, "Smoothing of the running average of gradients.")
BETA2 = Hyperparameter("beta2", 0.999, 0.0, 0.9999, "Smoothing of the running average of squared gradients.")


class Step(NamedTuple):
    t: int  # updates done so far


class MomentumState(NamedTuple):
    t: int
    buffer: np.ndarray  # torch's momentum_buffer b


class SumState(NamedTuple):
    t: int
    sum_sq: np.ndarray  # torch Adagrad's state_sum


class SquareAvgState(NamedTuple):
    t: int
    square_avg: np.ndarray


class AdamState(NamedTuple):
    t: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


class RpropState(NamedTuple):
    t: int
    prev: np.ndarray
    step_size: np.ndarray


def _zeros(params: np.ndarray) -> np.ndarray:
    return np.zeros_like(params, dtype=float)


# ----- plain gradient descent -------------------------------------------------------------------------------------


def _gd(grad, state: Step, params, hp: Hp, lr: float):
    return -lr * grad, Step(state.t + 1), {}


gd = GradientOptimizer(
    id="gd",
    name="Gradient descent",
    hyperparameters=(lr_param(1e-3),),
    init_state=lambda params, hp: Step(0),
    update=_gd,
    description="Step against the slope: θ ← θ − lr·g (torch.optim.SGD without momentum; Cauchy 1847).",
)


# ----- momentum (heavy ball) and Nesterov, as torch.optim.SGD -------------------------------------------------------


def _momentum_buffer(grad, state: MomentumState, mu: float) -> np.ndarray:
    return grad.copy() if state.t == 0 else mu * state.buffer + grad


def _momentum(grad, state: MomentumState, params, hp: Hp, lr: float):
    buffer = _momentum_buffer(grad, state, hp["momentum"])
    return -lr * buffer, MomentumState(state.t + 1, buffer), {"velocity": -lr * buffer, "momentum_buffer": buffer}


def _nesterov(grad, state: MomentumState, params, hp: Hp, lr: float):
    buffer = _momentum_buffer(grad, state, hp["momentum"])
    direction = grad + hp["momentum"] * buffer
    return -lr * direction, MomentumState(state.t + 1, buffer), {"velocity": -lr * buffer, "momentum_buffer": buffer}


momentum = GradientOptimizer(
    id="momentum",
    name="Momentum",
    hyperparameters=(lr_param(1e-3), MOMENTUM),
    init_state=lambda params, hp: MomentumState(0, _zeros(params)),
    update=_momentum,
    description="A heavy ball that keeps part of its speed: b ← μ·b + g, θ ← θ − lr·b (torch.optim.SGD with "
    "momentum; Polyak 1964). PyTorch's momentum default is 0; here it is 0.9, the value everyone uses.",
)

nesterov = GradientOptimizer(
    id="nesterov",
    name="Nesterov momentum",
    hyperparameters=(lr_param(1e-3), MOMENTUM),
    init_state=lambda params, hp: MomentumState(0, _zeros(params)),
    update=_nesterov,
    description="Momentum that looks ahead: b ← μ·b + g, θ ← θ − lr·(g + μ·b) (torch.optim.SGD with "
    "nesterov=True; Nesterov 1983, Sutskever et al. 2013).",
)


# ----- adaptive methods ---------------------------------------------------------------------------------------------


def _adagrad(grad, state: SumState, params, hp: Hp, lr: float):
    sum_sq = state.sum_sq + grad * grad
    return -lr * grad / (np.sqrt(sum_sq) + hp["eps"]), SumState(state.t + 1, sum_sq), {"accumulator": sum_sq}


adagrad = GradientOptimizer(
    id="adagrad",
    name="AdaGrad",
    hyperparameters=(lr_param(1e-2), EPS_TINY),
    init_state=lambda params, hp: SumState(0, _zeros(params)),
    update=_adagrad,
    description="Each coordinate's step shrinks with the sum of its past squared slopes: s ← s + g², "
    "θ ← θ − lr·g / (√s + ε) (torch.optim.Adagrad; Duchi et al. 2011).",
)


def _rmsprop(grad, state: SquareAvgState, params, hp: Hp, lr: float):
    alpha = hp["alpha"]
    square_avg = alpha * state.square_avg + (1 - alpha) * grad * grad
    delta = -lr * grad / (np.sqrt(square_avg) + hp["eps"])
    return delta, SquareAvgState(state.t + 1, square_avg), {"square_avg": square_avg}


rmsprop = GradientOptimizer(
    id="rmsprop",
    name="RMSProp",
    hyperparameters=(lr_param(1e-2), ALPHA, EPS),
    init_state=lambda params, hp: SquareAvgState(0, _zeros(params)),
    update=_rmsprop,
    description="Divide each step by a running average of recent squared slopes: v ← α·v + (1−α)·g², "
    "θ ← θ − lr·g / (√v + ε) (torch.optim.RMSprop; Hinton's lecture 6e, 2012).",
)


def _adam_step(grad, state: AdamState, hp: Hp, lr: float):
    """Torch's arithmetic order: denom = √v / √(1−β2^t) + ε, step = lr / (1−β1^t)."""
    t = state.t + 1
    b1, b2 = hp["beta1"], hp["beta2"]
    exp_avg = b1 * state.exp_avg + (1 - b1) * grad
    exp_avg_sq = b2 * state.exp_avg_sq + (1 - b2) * grad * grad
    bias1, bias2 = 1 - b1**t, 1 - b2**t
    denom = np.sqrt(exp_avg_sq) / np.sqrt(bias2) + hp["eps"]
    delta = -(lr / bias1) * exp_avg / denom
    extras = {"velocity": -lr * exp_avg / bias1, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
    return delta, AdamState(t, exp_avg, exp_avg_sq), extras


def _adam(grad, state: AdamState, params, hp: Hp, lr: float):
    return _adam_step(grad, state, hp, lr)


def _adamw(grad, state: AdamState, params, hp: Hp, lr: float):
    decay = -lr * hp["weight_decay"] * params  # decoupled: shrink the weights first, then the Adam step
    delta, new_state, extras = _adam_step(grad, state, hp, lr)
    return decay + delta, new_state, {**extras, "weight_decay_step": decay}


def _adam_init(params, hp):
    return AdamState(0, _zeros(params), _zeros(params))


adam = GradientOptimizer(
    id="adam",
    name="Adam",
    hyperparameters=(lr_param(1e-3), BETA1, BETA2, EPS),
    init_state=_adam_init,
    update=_adam,
    description="Momentum plus RMSProp with bias correction: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², "
    "θ ← θ − lr·m̂ / (√v̂ + ε) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t) (torch.optim.Adam; Kingma & Ba 2015).",
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
    ),
    init_state=_adam_init,
    update=_adamw,
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
    return delta, RpropState(state.t + 1, grad, step_size), {"step_sizes": step_size}


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
    description="Only the sign of each slope counts: each coordinate keeps its own step size, grown by η+ "
    "while the sign holds and cut by η− when it flips; θ ← θ − step·sign(g) (torch.optim.Rprop; Riedmiller & "
    "Braun 1993). lr only sets the first step size, so schedules have no effect after step 1.",
)


def _sign_gd(grad, state: Step, params, hp: Hp, lr: float):
    size = lr * hp["decay"] ** state.t
    return -size * np.sign(grad), Step(state.t + 1), {"step_size": size}


sign_gd = GradientOptimizer(
    id="sign_gd",
    name="Sign descent",
    hyperparameters=(
        Hyperparameter("lr", 0.5, 1e-6, 1e3, "Size of the first step along each coordinate.", log_scale=True),
        Hyperparameter("decay", 0.95, 0.5, 1.0, "Each step is this times the previous one."),
    ),
    init_state=lambda params, hp: Step(0),
    update=_sign_gd,
    description="The simplest idea of all: fixed-size steps along the sign of the slope, the size shrinking as "
    "training goes on: θ ← θ − lr·decay^(t−1)·sign(g). How steep the slope is does not matter, only which way it goes.",
)

OPTIMIZERS = (gd, momentum, nesterov, adagrad, rmsprop, adam, adamw, rprop, sign_gd)

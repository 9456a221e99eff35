"""BFGS: Newton's idea without the Hessian, learning the curvature from successive slopes.

One step is one iteration of SciPy's ``_minimize_bfgs``: direction
``p = −H g`` with H the current inverse-Hessian estimate (the identity at
first), SciPy's line search along p (Moré–Thuente, then Nocedal–Wright's
zoom; c1 = 1e-4, c2 = 0.9), then the BFGS update
``H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ`` with ``s = Δx``, ``y = Δg``,
``ρ = 1 / yᵀs`` (Nocedal & Wright, eq. 6.17). The arithmetic is written in
SciPy's order, so from the same start the iterates and the evaluation
counts are SciPy's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from app.optimizers.base import Hyperparameter, Oracle, Step
from app.optimizers.line_search import wolfe_line_search

C1, C2 = 1e-4, 0.9  # SciPy's for BFGS: a step must lower the loss a little and flatten the slope to 90%


class BfgsState(NamedTuple):
    t: int
    inverse_hessian: np.ndarray
    value: float
    grad: np.ndarray
    previous_value: float  # SciPy's old_old_fval: sets the first trial step of the line search


def start_values(oracle: Oracle, params: np.ndarray) -> tuple[float, np.ndarray, float]:
    """Value and slope at the start, and SciPy's guess of the value one step earlier (f + |g| / 2).

    With that guess the first trial step is 1.01·|g|/|gᵀp|: a first move of about one unit along −g.
    """
    value, grad = oracle.value_and_grad(params)
    return value, grad, value + float(np.linalg.norm(grad)) / 2


def bfgs_update(inverse_hessian: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, in SciPy's order of operations (ρ = 1000 if yᵀs = 0, as SciPy)."""
    rho_inv = np.dot(y, s)
    rho = 1000.0 if rho_inv == 0.0 else 1.0 / rho_inv
    eye = np.eye(s.size, dtype=int)
    left = eye - s[:, np.newaxis] * y[np.newaxis, :] * rho
    right = eye - y[:, np.newaxis] * s[np.newaxis, :] * rho
    return np.dot(left, np.dot(inverse_hessian, right)) + (rho * s[:, np.newaxis] * s[np.newaxis, :])


@dataclass(frozen=True)
class Bfgs:
    id: str = "bfgs"
    name: str = "BFGS"
    family: str = "quasi_newton"
    hyperparameters: tuple[Hyperparameter, ...] = ()
    uses_lr_schedule: bool = False
    description: str = (
        "A quasi-Newton method: it builds an estimate of the inverse curvature from how the slope changes between "
        "steps, walks along p = −H·g with a line search, and updates H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ "
        "(Broyden, Fletcher, Goldfarb, Shanno 1970; as SciPy's minimize(method='BFGS'))."
    )

    def init(self, params: np.ndarray, oracle: Oracle, hp: Mapping[str, float]) -> BfgsState:
        value, grad, previous = start_values(oracle, params)
        return BfgsState(0, np.eye(params.size), value, grad, previous)

    def step(self, oracle: Oracle, params: np.ndarray, state: BfgsState, hp: Mapping[str, float], lr: float) -> Step:
        direction = -np.dot(state.inverse_hessian, state.grad)
        search = wolfe_line_search(
            oracle, params, direction, state.value, state.grad, state.previous_value, c1=C1, c2=C2
        )
        extras = {"direction": direction, "trial_points": search.trial_points, "line_search": search.method}
        if search.alpha is None:
            return Step(params, state, {**extras, "alpha": None}, stalled=search.reason)
        s = search.alpha * direction
        inverse_hessian = bfgs_update(state.inverse_hessian, s, search.grad - state.grad)
        new_state = BfgsState(state.t + 1, inverse_hessian, search.value, search.grad, state.value)
        return Step(params + s, new_state, {**extras, "alpha": search.alpha, "update": s})


OPTIMIZERS = (Bfgs(),)

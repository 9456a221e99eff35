"""BFGS: Newton's idea without the Hessian, learning the curvature from successive slopes.

One step is one iteration of SciPy's ``_minimize_bfgs``: direction
``p = −H g`` with H the current inverse-Hessian estimate (the identity at
first), a strong-Wolfe line search along p, then the BFGS update
``H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ`` with ``s = Δx``, ``y = Δg``,
``ρ = 1 / yᵀs`` (Nocedal & Wright, eq. 6.17).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from app.optimizers.base import Hyperparameter, Oracle, Step
from app.optimizers.line_search import wolfe_line_search


class BfgsState(NamedTuple):
    t: int
    inverse_hessian: np.ndarray
    value: float
    grad: np.ndarray
    previous_value: float  # SciPy's old_old_fval: sets the first trial step of the line search


def start_values(oracle: Oracle, params: np.ndarray) -> tuple[float, np.ndarray, float]:
    """Value and slope at the start, and SciPy's guess of the value one step earlier (f + |g| / 2)."""
    value, grad = oracle.value_and_grad(params)
    return value, grad, value + float(np.linalg.norm(grad)) / 2


def stalled(grad: np.ndarray) -> str:
    return (
        f"the line search found no lower point along the search direction (slope {np.linalg.norm(grad):.2g}); "
        "the method has reached the limit of floating-point precision here."
    )


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
        direction = -state.inverse_hessian @ state.grad
        search = wolfe_line_search(
            oracle, params, direction, state.value, state.grad, state.previous_value, c1=1e-4, c2=0.9
        )
        extras = {"direction": direction, "trial_points": search.trial_points, "line_search": search.method}
        if search.alpha is None:
            return Step(params, state, {**extras, "alpha": None}, converged=stalled(state.grad))
        s = search.alpha * direction
        y = search.grad - state.grad
        ys = float(y @ s)
        rho = 1000.0 if ys == 0 else 1.0 / ys  # SciPy's guard against a zero curvature pair
        eye = np.eye(params.size)
        left = eye - rho * np.outer(s, y)
        right = eye - rho * np.outer(y, s)
        inverse_hessian = left @ state.inverse_hessian @ right + rho * np.outer(s, s)
        new_state = BfgsState(state.t + 1, inverse_hessian, search.value, search.grad, state.value)
        return Step(params + s, new_state, {**extras, "alpha": search.alpha, "update": s})


OPTIMIZERS = (Bfgs(),)

"""Nonlinear conjugate gradient (Polak–Ribière+), with a line search and restarts.

Each new direction mixes the new steepest-descent direction with the old one:
``p ← −g + β p`` with ``β = max(0, gᵀ(g − g_old) / g_oldᵀ g_old)``
(Polak & Ribière 1969; the ``max(0, ·)`` is Powell's 1986 "PR+" fix, which
restarts with steepest descent whenever β would turn negative). As in SciPy's
``minimize(method='CG')``, the line search uses c2 = 0.4 and a direction that
is not clearly downhill (pᵀg > −0.01 gᵀg) is replaced by −g; an optional
periodic restart every ``restart_every`` steps is Powell's classic safeguard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from app.optimizers.base import Hyperparameter, Oracle, Step
from app.optimizers.line_search import wolfe_line_search
from app.optimizers.quasi_newton import stalled, start_values

SUFFICIENT_DESCENT = 0.01


class CgState(NamedTuple):
    t: int
    direction: np.ndarray
    value: float
    grad: np.ndarray
    previous_value: float


@dataclass(frozen=True)
class ConjugateGradient:
    id: str = "cg"
    name: str = "Conjugate gradient"
    family: str = "conjugate"
    hyperparameters: tuple[Hyperparameter, ...] = (
        Hyperparameter(
            "restart_every",
            0,
            0,
            1000,
            "Restart with steepest descent every this many steps (0: only when needed).",
            integer=True,
        ),
    )
    uses_lr_schedule: bool = False
    description: str = (
        "Each step remembers the last direction so it does not undo earlier progress: p ← −g + β·p with "
        "β = max(0, gᵀ(g − g_old)/|g_old|²) (Polak–Ribière+), and a line search along p "
        "(as SciPy's minimize(method='CG'))."
    )

    def init(self, params: np.ndarray, oracle: Oracle, hp: Mapping[str, float]) -> CgState:
        value, grad, previous = start_values(oracle, params)
        return CgState(0, -grad, value, grad, previous)

    def step(self, oracle: Oracle, params: np.ndarray, state: CgState, hp: Mapping[str, float], lr: float) -> Step:
        search = wolfe_line_search(
            oracle, params, state.direction, state.value, state.grad, state.previous_value, c1=1e-4, c2=0.4
        )
        extras = {"direction": state.direction, "trial_points": search.trial_points, "line_search": search.method}
        if search.alpha is None:
            return Step(
                params,
                state,
                {**extras, "alpha": None, "beta": None, "restarted": False},
                converged=stalled(state.grad),
            )
        s = search.alpha * state.direction
        grad = search.grad
        beta = max(0.0, float(grad @ (grad - state.grad)) / float(state.grad @ state.grad))
        direction = -grad + beta * state.direction
        every = int(hp.get("restart_every", 0))
        restarted = beta == 0.0
        if float(direction @ grad) > -SUFFICIENT_DESCENT * float(grad @ grad) or (every and (state.t + 1) % every == 0):
            direction, beta, restarted = -grad, 0.0, True
        new_state = CgState(state.t + 1, direction, search.value, grad, state.value)
        extras |= {"alpha": search.alpha, "beta": beta, "restarted": restarted, "update": s}
        return Step(params + s, new_state, extras)


OPTIMIZERS = (ConjugateGradient(),)

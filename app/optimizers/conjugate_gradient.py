"""Nonlinear conjugate gradient (Polak–Ribière+), as SciPy's ``minimize(method='CG')``.

Each new direction mixes the new steepest-descent direction with the old one:
``p ← −g + β p`` with ``β = max(0, (g − g_old)ᵀg / g_oldᵀg_old)``
(Polak & Ribière 1969; the ``max(0, ·)`` is Powell's 1986 "PR+" fix, which
restarts with steepest descent whenever β would turn negative). As in SciPy,
the line search (c1 = 1e-4, c2 = 0.4) accepts a step only if the direction
it leads to is clearly downhill, ``pᵀg ≤ −0.01 gᵀg`` (Gilbert & Nocedal
1992), so the next search starts on a descent direction. An optional
periodic restart every ``restart_every`` steps is Powell's classic safeguard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from app.optimizers.base import Hyperparameter, Oracle, Step
from app.optimizers.line_search import wolfe_line_search
from app.optimizers.quasi_newton import start_values

C1, C2 = 1e-4, 0.4  # SciPy's for CG: a stricter flattening than BFGS, as CG's directions need exact-ish searches
SUFFICIENT_DESCENT = 0.01  # SciPy's sigma_3
# SciPy's default gtol (largest |component| of the slope): a step that reaches it is accepted without the descent
# test. Part of SciPy's published iteration, kept so that our path is SciPy's; the run's own tolerance decides the end.
SCIPY_GTOL = 1e-5


class CgState(NamedTuple):
    t: int
    direction: np.ndarray
    value: float
    grad: np.ndarray
    previous_value: float


def polak_ribiere_plus(grad: np.ndarray, old_grad: np.ndarray, direction: np.ndarray) -> tuple[float, np.ndarray]:
    """β = max(0, (g − g_old)ᵀg / |g_old|²) and the next direction −g + β p, in SciPy's order of operations."""
    beta = max(0.0, np.dot(grad - old_grad, grad) / np.dot(old_grad, old_grad))
    return float(beta), -grad + beta * direction


def largest_component(grad: np.ndarray) -> float:
    """|g|∞, SciPy's norm for gtol (a plain max: np.linalg.norm costs more than the rest of a CG step)."""
    return max(map(abs, grad.tolist()))


def descends(grad: np.ndarray, direction: np.ndarray) -> bool:
    """The next search can start: the slope is already within SciPy's gtol, or pᵀg ≤ −0.01 |g|²."""
    if largest_component(grad) <= SCIPY_GTOL:
        return True
    return bool(np.dot(direction, grad) <= -SUFFICIENT_DESCENT * np.dot(grad, grad))


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
        if largest_component(state.grad) <= SCIPY_GTOL and not np.dot(state.direction, state.grad) < 0:
            # SciPy would have stopped here, so its descent test let this direction through unchecked; a run
            # asked for a tighter tolerance goes on, and restarts downhill instead of searching uphill.
            state = state._replace(direction=-state.grad)

        tried: dict[float, tuple[float, np.ndarray]] = {}  # SciPy's cached_step: the PR+ step of the last test

        def next_direction_descends(alpha: float, point: np.ndarray, value: float, grad: np.ndarray) -> bool:
            tried.clear()
            tried[alpha] = polak_ribiere_plus(grad, state.grad, state.direction)
            return descends(grad, tried[alpha][1])

        search = wolfe_line_search(
            oracle,
            params,
            state.direction,
            state.value,
            state.grad,
            state.previous_value,
            c1=C1,
            c2=C2,
            extra_condition=next_direction_descends,
        )
        extras = {"direction": state.direction, "trial_points": search.trial_points, "line_search": search.method}
        if search.alpha is None:
            extras |= {"alpha": None, "beta": None, "restarted": False}
            return Step(params, state, extras, stalled=search.reason)
        s = search.alpha * state.direction
        beta, direction = tried.get(search.alpha) or polak_ribiere_plus(search.grad, state.grad, state.direction)
        every = int(hp.get("restart_every", 0))
        if every and (state.t + 1) % every == 0:
            beta, direction = 0.0, -search.grad
        new_state = CgState(state.t + 1, direction, search.value, search.grad, state.value)
        extras |= {"alpha": search.alpha, "beta": beta, "restarted": beta == 0.0, "update": s}
        return Step(params + s, new_state, extras)


OPTIMIZERS = (ConjugateGradient(),)

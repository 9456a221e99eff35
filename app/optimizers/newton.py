"""Newton's method, with an honest fallback where the Hessian is not positive definite.

A pure Newton step ``θ ← θ − H⁻¹g`` jumps to the stationary point of the local
quadratic model. Where the Hessian has a negative eigenvalue that point is a
saddle or a maximum, so the step would climb. Following the saddle-free Newton
method (Dauphin et al. 2014) the step uses |λ| instead of λ for every
eigenvalue (floored so a flat direction does not send it to infinity), and the
frame says so in a keyed sentence (``newton.*`` in the catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from app.optimizers.base import Hyperparameter, Oracle, Step
from app.sentence import sentence

FLOOR = 1e-6  # eigenvalues are floored at this share of the largest |eigenvalue|


class NewtonState(NamedTuple):
    t: int


@dataclass(frozen=True)
class Newton:
    id: str = "newton"
    name: str = "Newton's method"
    family: str = "second_order"
    hyperparameters: tuple[Hyperparameter, ...] = (
        Hyperparameter("lr", 1.0, 1e-3, 2.0, "Damping: 1 takes the full Newton step, less takes part of it."),
    )
    uses_lr_schedule: bool = False
    description: str = (
        "Jump to the bottom of the local quadratic model: θ ← θ − lr·H⁻¹g, using the curvature (Hessian H) as well "
        "as the slope. Where H has negative curvature its eigenvalues are flipped to |λ| so the step still goes "
        "downhill (saddle-free Newton, Dauphin et al. 2014)."
    )

    def init(self, params: np.ndarray, oracle: Oracle, hp: Mapping[str, float]) -> NewtonState:
        return NewtonState(0)

    def step(self, oracle: Oracle, params: np.ndarray, state: NewtonState, hp: Mapping[str, float], lr: float) -> Step:
        grad = oracle.grad(params)
        hessian = oracle.hessian(params)
        eigenvalues, vectors = np.linalg.eigh(hessian)
        scale = float(np.abs(eigenvalues).max()) if eigenvalues.size else 0.0
        floor = max(FLOOR * scale, 1e-12)
        fallback = None
        if eigenvalues.min() <= floor:
            negative = eigenvalues[eigenvalues < 0]
            if negative.size:
                fallback = sentence("newton.flipped", eigenvalue=float(negative.min()))
            else:
                fallback = sentence("newton.singular", smallest=float(eigenvalues.min()), floor=floor)
        used = np.maximum(np.abs(eigenvalues), floor)
        direction = -vectors @ ((vectors.T @ grad) / used)
        delta = lr * direction
        extras = {
            "update": delta,
            "newton_direction": direction,
            "fallback": fallback,
            "eigenvalues": eigenvalues,
        }
        return Step(params=params + delta, state=NewtonState(state.t + 1), extras=extras)


OPTIMIZERS = (Newton(),)

"""The shape every objective function shares.

An objective is pure maths: value, analytic gradient and Hessian, all
vectorised over points stacked along the leading axes, so the same code draws a
300x300 surface and evaluates one walker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# points: array of shape (..., dim) -> values of shape (...)
ValueFn = Callable[[np.ndarray], np.ndarray]
# points: array of shape (..., dim) -> gradients of shape (..., dim)
GradFn = Callable[[np.ndarray], np.ndarray]
# points: array of shape (..., dim) -> Hessians of shape (..., dim, dim)
HessianFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Minimum:
    """A known minimiser, so pages can mark the village and tests can check arrival."""

    point: tuple[float, ...]
    value: float
    kind: str = "global"  # "global" or "local"


@dataclass(frozen=True)
class Objective:
    """A function to descend, with everything a page or an optimizer needs."""

    id: str
    name: str
    dim: int
    formula: str  # plain text a person can read, e.g. "x^2 - 4x + 6"
    latex: str  # the same formula for a maths renderer
    domain: tuple[tuple[float, float], ...]  # default plotting box, one (lo, hi) per axis
    start: tuple[float, ...]  # default start point
    minima: tuple[Minimum, ...]
    value: ValueFn
    grad: GradFn
    hessian: HessianFn
    description: str = ""  # what this function teaches, one or two sentences
    tags: tuple[str, ...] = field(default_factory=tuple)  # e.g. ("convex",), ("saddle",)
    # For typed formulas: which part has no value at a point ("it left the domain of log at x = -0.3").
    explain_undefined: Callable[[np.ndarray], dict[str, Any] | None] | None = None  # a keyed sentence (app.sentence)

    def value_at(self, x: np.ndarray) -> float:
        """The loss at one point, as a Python float."""
        return float(self.value(x))

"""The shape every objective function shares.

An objective is pure maths: value, analytic gradient and Hessian, all
vectorised over points stacked along the leading axes, so the same code draws a
300x300 surface and evaluates one walker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

# points: array of shape (..., dim) -> values of shape (...)
ValueFn = Callable[[np.ndarray], np.ndarray]
# points: array of shape (..., dim) -> gradients of shape (..., dim)
GradFn = Callable[[np.ndarray], np.ndarray]
# points: array of shape (..., dim) -> Hessians of shape (..., dim, dim)
HessianFn = Callable[[np.ndarray], np.ndarray]


class FloatForms(NamedTuple):
    """Value and slope at one point given as Python floats (``x`` or ``x, y``), with the NumPy forms' bits.

    A NumPy call on one point costs about a microsecond, nearly all of it the call: the engine's 1D and 2D
    steps evaluate these instead (tests/test_float_objectives.py holds them to the same bits at many points).
    A form may raise ``ArithmeticError`` or ``ValueError`` where NumPy would give an infinity or NaN (Python's
    ``**`` overflows loudly): the engine then takes that step the NumPy way. ``pure``: the forms do Python
    arithmetic only, so they need no NumPy floating-point error state around them.
    """

    value: Callable[..., float]
    grad: Callable[..., Sequence[float]]
    pure: bool


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
    # The same value and slope on Python floats, for the engine's steps; None where only NumPy may evaluate
    # (typed formulas: what their compiled code does on floats is not proven to match).
    floats: FloatForms | None = None

    def value_at(self, x: np.ndarray) -> float:
        """The loss at one point, as a Python float."""
        return float(self.value(x))

"""A typed formula as an Objective: value, gradient and Hessian from SymPy, compiled to vectorised NumPy.

``lambdify`` prints the *checked* SymPy tree that ``parser.build`` made node by
node, never the user's text, so nothing the user typed is evaluated. The
gradient and the Hessian are each compiled as one function with common
subexpressions shared (``cse=True``): smaller code, compiled and run faster.
The Hessian is derived and compiled on first use (Newton's method, a
divergence diagnosis). Compiled objectives are kept in an LRU cache keyed by
the canonical text, so "x^2+y" and "x ** 2 + y" share one.

Every compiled function is total: should NumPy raise (it should not: the
parser refuses numbers too large for a float), it answers NaN, which a run
reports as "diverged" and a surface as a gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

import numpy as np
import sympy

from app.expressions.domain import explain_undefined
from app.expressions.formula import Formula, as_latex, as_text, checked_formula
from app.expressions.parser import Checked, ExpressionError, check
from app.objectives.base import Objective
from app.objectives.build import objective_1d, objective_2d

DOMAIN = (-5.0, 5.0)
# The default start is the first of these where the formula and its slope are finite and the slope is not
# zero: [3] in 1D and [3, 2] in 2D when possible, away from the origin where many textbook formulas have their
# minimum or a kink, and with x != y so that a formula symmetric in x and y does not start on its diagonal.
START_CANDIDATES = ((3.0, 2.0), (1.5, 1.0), (-3.0, 2.0), (2.0, -2.5), (0.7, 0.4), (-1.5, -1.0), (4.0, 4.0))
TROUBLE = (ArithmeticError, ValueError, TypeError)


def _total(function: Callable, outputs: int | None) -> Callable:
    """``function`` of coordinate arrays, answering NaN (of the right shape) instead of raising."""

    def call(*coordinates):
        try:
            return function(*coordinates)
        except TROUBLE:
            nan = np.full(np.broadcast(*coordinates).shape, np.nan)
            return nan if outputs is None else [nan] * outputs

    return call


def _compile(variables: tuple[sympy.Symbol, ...], expressions: sympy.Expr | list[sympy.Expr]) -> Callable:
    shared = isinstance(expressions, list) and len(expressions) > 1
    function = sympy.lambdify(variables, expressions, modules="numpy", cse=shared)
    return _total(function, len(expressions) if isinstance(expressions, list) else None)


class _Lazy:
    """A function compiled on its first call: the Hessian, which only Newton's method and diagnoses need.

    Should the Hessian be too large to derive, every call raises the ExpressionError (a ValueError) that
    says so, derived once: a run reports it in its "diverged" message and a diagnosis goes without curvature.
    """

    __slots__ = ("_failure", "_function", "_make")

    def __init__(self, make: Callable[[], Callable]) -> None:
        self._make = make
        self._function: Callable | None = None
        self._failure: ExpressionError | None = None

    def __call__(self, *coordinates):
        if self._function is None:
            if self._failure is not None:
                raise self._failure
            try:
                self._function = self._make()
            except ExpressionError as error:
                self._failure = error
                raise
        return self._function(*coordinates)


def expression_objective(text: str) -> Objective:
    """The Objective for a typed formula; raises parser.ExpressionError with a readable message."""
    return checked_objective(check(text))


@lru_cache(maxsize=256)
def checked_objective(checked: Checked) -> Objective:
    """The compiled Objective of a checked text, cached by its canonical text."""
    found = checked_formula(checked)
    variables = found.variables
    value = _compile(variables, found.expression)
    gradient = _compile(variables, list(found.gradient))
    hessian = _Lazy(lambda: _compile(variables, list(found.hessian)))
    info = {
        "id": "expression",
        "name": as_text(found.expression),
        "formula": as_text(found.expression),
        "latex": as_latex(found.expression),
        "domain": (DOMAIN,) * found.dim,
        "start": START_CANDIDATES[0][: found.dim],
        "minima": (),
        "description": "Your own formula.",
        "tags": ("custom",),
        "explain_undefined": lambda point: explain_undefined(found, point),
    }
    if found.dim == 1:
        objective = objective_1d(value, lambda x: gradient(x)[0], lambda x: hessian(x)[0], **info)
    else:
        objective = objective_2d(value, gradient, hessian, **info)
    return replace(objective, start=default_start(objective))


def default_start(objective: Objective) -> tuple[float, ...]:
    """The first candidate where the formula and its slope are finite and the slope is not zero."""
    with np.errstate(all="ignore"):
        for candidate in START_CANDIDATES:
            point = np.array(candidate[: objective.dim])
            value = float(objective.value(point))
            grad = np.asarray(objective.grad(point), dtype=float)
            if np.isfinite(value) and np.all(np.isfinite(grad)) and np.abs(grad).max() > 1e-9:
                return tuple(float(v) for v in point)
    return START_CANDIDATES[0][: objective.dim]


__all__ = ["DOMAIN", "START_CANDIDATES", "Formula", "default_start", "expression_objective"]

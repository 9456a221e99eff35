"""A typed formula as an Objective: value, gradient and Hessian from SymPy, compiled to NumPy.

``lambdify`` prints the *checked* SymPy tree that ``parser.parse`` built node by
node, never the user's text, so nothing the user typed is evaluated. Every
derivative is taken symbolically (no ``simplify``: it can take seconds) and
compiled once; compiled formulas are kept in a small LRU cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy
from sympy.printing.mathml import mathml

from app.expressions.parser import X, Y, parse
from app.objectives.base import Objective
from app.objectives.build import objective_1d, objective_2d

DOMAIN = (-5.0, 5.0)
# The first of these where the formula and its slope are finite and the slope is not zero is the
# default start: away from the origin, where many textbook formulas have their minimum.
START_CANDIDATES = ((3.0, 2.0), (1.5, 1.0), (-3.0, 2.0), (2.0, -2.5), (0.7, 0.4), (4.0, 4.0))


@dataclass(frozen=True)
class Formula:
    """What a page shows of a formula: the text, LaTeX and MathML of f and of each partial derivative."""

    expression: sympy.Expr
    dim: int
    variables: tuple[sympy.Symbol, ...]
    derivatives: tuple[sympy.Expr, ...]

    def describe(self) -> dict:
        return {
            "dim": self.dim,
            "formula": as_text(self.expression),
            "latex": sympy.latex(self.expression),
            "mathml": mathml(self.expression, printer="presentation"),
            "derivatives": [
                {
                    "variable": str(v),
                    "formula": as_text(d),
                    "latex": sympy.latex(d),
                    "mathml": mathml(d, printer="presentation"),
                }
                for v, d in zip(self.variables, self.derivatives, strict=True)
            ],
        }


def as_text(expression: sympy.Expr) -> str:
    return sympy.sstr(expression).replace("**", "^")


@lru_cache(maxsize=256)
def formula(text: str) -> Formula:
    expression, dim = parse(text)
    variables = (X,) if dim == 1 else (X, Y)
    return Formula(expression, dim, variables, tuple(sympy.diff(expression, v) for v in variables))


def _compile(variables: tuple[sympy.Symbol, ...], expression: sympy.Expr):
    return sympy.lambdify(variables, expression, modules="numpy")


def explain_undefined(found: Formula, point: np.ndarray) -> str | None:
    """Which part of the formula has no value at ``point``: 'left the domain of log at x = -0.3'."""
    values = dict(zip(found.variables, (float(v) for v in point), strict=True))
    where = ", ".join(f"{v} = {values[v]:.4g}" for v in found.variables)
    for part in sympy.preorder_traversal(found.expression):
        if isinstance(part, sympy.log):
            argument = complex(part.args[0].evalf(subs=values))
            if argument.imag == 0 and argument.real <= 0:
                return f"it left the domain of log (log needs a positive number, got {argument.real:.4g}) at {where}"
        elif isinstance(part, sympy.Pow) and not part.exp.free_symbols:
            base = complex(part.base.evalf(subs=values))
            if base.imag != 0:
                continue
            if part.exp.is_negative and base.real == 0:
                return f"it divided by zero at {where}"
            if not part.exp.is_integer and base.real < 0:
                name = "sqrt" if part.exp == sympy.Rational(1, 2) else f"the power {part.exp}"
                return f"it left the domain of {name} (a negative number, {base.real:.4g}) at {where}"
    return None


@lru_cache(maxsize=256)
def expression_objective(text: str) -> Objective:
    """The Objective for a typed formula; raises parser.ExpressionError with a readable message."""
    found = formula(text)
    variables, expression = found.variables, found.expression
    value = _compile(variables, expression)
    grads = [_compile(variables, d) for d in found.derivatives]
    info = {
        "id": "expression",
        "name": as_text(expression),
        "formula": as_text(expression),
        "latex": sympy.latex(expression),
        "domain": (DOMAIN,) * found.dim,
        "start": (0.0,) * found.dim,
        "minima": (),
        "description": "Your own formula.",
        "tags": ("custom",),
        "explain_undefined": lambda point: explain_undefined(found, point),
    }
    if found.dim == 1:
        second = _compile(variables, sympy.diff(found.derivatives[0], X))
        objective = objective_1d(value, grads[0], second, **info)
    else:
        (gx, gy), (dx, dy) = grads, found.derivatives
        hxx, hxy, hyy = (_compile(variables, h) for h in (sympy.diff(dx, X), sympy.diff(dx, Y), sympy.diff(dy, Y)))
        objective = objective_2d(
            value,
            lambda x, y: (gx(x, y), gy(x, y)),
            lambda x, y: (hxx(x, y), hxy(x, y), hyy(x, y)),
            **info,
        )
    from dataclasses import replace

    return replace(objective, start=_default_start(objective))


def _default_start(objective: Objective) -> tuple[float, ...]:
    with np.errstate(all="ignore"):
        for candidate in START_CANDIDATES:
            point = np.array(candidate[: objective.dim])
            value = float(objective.value(point))
            grad = np.asarray(objective.grad(point), dtype=float)
            if np.isfinite(value) and np.all(np.isfinite(grad)) and np.abs(grad).max() > 1e-9:
                return tuple(float(v) for v in point)
    return START_CANDIDATES[0][: objective.dim]

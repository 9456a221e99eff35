"""A checked formula with its derivatives, as SymPy objects, and as a page shows them.

Derivatives come from ``sympy.diff`` of the checked tree, never from text,
and are never passed to ``simplify`` (it can take seconds). Their size is
bounded twice: the parser's limits bound the formula, and a derivative that
still comes out too large to compile quickly is refused with a sentence.
Formulas are cached by their canonical text, so "x^2+y" and "x ** 2 + y"
are built once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy

from app.expressions import typeset
from app.expressions.functions import SYMPY_TO_OURS
from app.expressions.parser import Checked, ExpressionError, X, Y, build, check, check_numbers

# Parts (tree nodes) in the gradient, all partial derivatives together. The time SymPy takes over the
# second derivatives grows with this, faster than in proportion; at this size it stayed under 0.3 s on the
# slowest formulas found (see tests/test_expressions.py). The parser's limits rarely let a formula reach it.
MAX_GRADIENT_NODES = 800
# Parts in any one second derivative: a backstop, which the gradient's limit keeps out of reach.
MAX_DERIVATIVE_NODES = 20_000
# A derivative with more parts than this is shown as text only: nobody reads a page of typeset maths.
MAX_SHOWN_NODES = 600


def as_text(expression: sympy.Expr) -> str:
    """A formula as a person would type it: x^2 + 3*sin(y)."""
    return sympy.sstr(expression).replace("**", "^")


def as_latex(expression: sympy.Expr) -> str:
    return typeset.latex(expression)


def as_mathml(expression: sympy.Expr) -> str:
    """Presentation MathML, which browsers typeset with no script."""
    return typeset.mathml(expression)


def size(expression: sympy.Expr, limit: int) -> int:
    """Nodes in ``expression`` counted as a tree; stops counting past ``limit``."""
    count = 0
    for _ in sympy.preorder_traversal(expression):
        count += 1
        if count > limit:
            break
    return count


def derivative(expression: sympy.Expr, variable: sympy.Symbol, order: str = "") -> sympy.Expr:
    """d expression / d variable by ``sympy.diff``, in our functions only; refused when NumPy could not compute it.

    Differentiating u^v brings in SymPy's own log; it is swapped for ours, so the next derivative stays cheap.
    """
    result = _ours(sympy.diff(expression, variable))
    if result.has(sympy.Derivative, sympy.Subs, sympy.DiracDelta, sympy.re, sympy.im, sympy.arg, sympy.I):
        raise ExpressionError("SymPy cannot write the derivative of this formula as a real function.")
    if size(result, MAX_DERIVATIVE_NODES) > MAX_DERIVATIVE_NODES:
        raise ExpressionError(
            f"The {order}derivatives of this formula are too large to work with (over {MAX_DERIVATIVE_NODES} parts); "
            "try a formula with fewer nested functions or powers."
        )
    check_numbers(result)
    return result


def _ours(expression: sympy.Expr) -> sympy.Expr:
    for theirs, ours in SYMPY_TO_OURS.items():
        if expression.has(theirs):
            expression = expression.replace(theirs, ours)
    return expression


@dataclass(frozen=True)
class Formula:
    """A formula and its gradient as SymPy expressions; its Hessian is worked out when first asked for.

    Only Newton's method and the divergence diagnosis need the Hessian, and it is the largest and slowest
    part to derive (the second derivative of a 100-part formula may have thousands of parts), so checking
    a formula, drawing it and running a first-order method never pay for it.
    """

    text: str  # canonical text
    expression: sympy.Expr
    dim: int
    variables: tuple[sympy.Symbol, ...]
    gradient: tuple[sympy.Expr, ...]

    @cached_property
    def hessian(self) -> tuple[sympy.Expr, ...]:
        """1D: (f'',); 2D: (f_xx, f_xy, f_yy). Raises ExpressionError when too large."""
        first = self.gradient
        if self.dim == 1:
            return (derivative(first[0], X, "second "),)
        return (
            derivative(first[0], X, "second "),
            derivative(first[0], Y, "second "),
            derivative(first[1], Y, "second "),
        )

    @cached_property
    def shown(self) -> dict:
        """What a page shows: the formula and each partial derivative as text, LaTeX and MathML."""
        return {
            "dim": self.dim,
            "formula": as_text(self.expression),
            "latex": as_latex(self.expression),
            "mathml": as_mathml(self.expression),
            "derivatives": [
                {"variable": str(variable), **_typeset(partial)}
                for variable, partial in zip(self.variables, self.gradient, strict=True)
            ],
        }

    def describe(self) -> dict:
        return copy.deepcopy(self.shown)  # the cached one stays as it was, whatever a caller does


def _typeset(expression: sympy.Expr) -> dict[str, str]:
    """Text, LaTeX and MathML of a derivative; past MAX_SHOWN_NODES a note instead of the typeset form."""
    parts = size(expression, MAX_SHOWN_NODES)
    if parts <= MAX_SHOWN_NODES:
        return {"formula": as_text(expression), "latex": as_latex(expression), "mathml": as_mathml(expression)}
    note = f"too long to typeset (over {MAX_SHOWN_NODES} parts)"
    return {"formula": as_text(expression), "latex": rf"\text{{{note}}}", "mathml": f"<mtext>{note}</mtext>"}


def formula(text: str) -> Formula:
    """The Formula for typed text; raises ExpressionError with a readable message."""
    return checked_formula(check(text))


@lru_cache(maxsize=256)
def checked_formula(checked: Checked) -> Formula:
    """The Formula of a checked text; cached by its canonical text, so spacing and ^ versus ** share an entry."""
    expression = build(checked)
    variables = (X,) if checked.dim == 1 else (X, Y)
    gradient = tuple(derivative(expression, v) for v in variables)
    if sum(size(partial, MAX_GRADIENT_NODES) for partial in gradient) > MAX_GRADIENT_NODES:
        raise ExpressionError(
            f"The derivatives of this formula are too large to work with (over {MAX_GRADIENT_NODES} parts): "
            "try fewer factors, or fewer functions inside functions."
        )
    return Formula(checked.canonical, expression, checked.dim, variables, gradient)

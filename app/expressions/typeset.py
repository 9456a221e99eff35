"""LaTeX and presentation MathML of a formula, in one pass over its tree.

SymPy's own printers ask its assumption system questions at every product and
power (is this exponent negative? can a minus sign be pulled out?), split
fractions with ``fraction`` and print whole sub-expressions to measure them:
on derivatives of allowed formulas they took up to a second for LaTeX and a
sixth of a second for MathML. The formulas here hold only numbers, x and y,
sums, products, powers and eleven functions, so this printer decides
everything from the tree's shape, in time proportional to its size. Both
outputs come from one layout of boxes, so they always agree.

The MathML is safe to put in a page as is: every name in it is one of ours
(x, y, the functions), and anything unexpected is escaped text.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

import sympy

from app.expressions.functions import Abs, Elementary, Exp

LATEX_FUNCTIONS = {"atan": r"\operatorname{atan}", "sign": r"\operatorname{sign}"}
MINUS = "\u2212"


@dataclass(frozen=True)
class Box:
    """A piece of layout: ``kind`` is row, num, id, op, frac, sup, sqrt, fn, abs, paren or text."""

    kind: str
    parts: tuple = ()
    text: str = ""


def _row(*parts: Box) -> Box:
    return parts[0] if len(parts) == 1 else Box("row", parts)


def _number(value: sympy.Number) -> Box:
    """A non-negative number: 3, 0.25, 1.5·10^-7, or p/q as a fraction."""
    if isinstance(value, sympy.Integer):
        return Box("num", text=str(int(value)))
    if isinstance(value, sympy.Rational):
        return Box("frac", (Box("num", text=str(int(value.p))), Box("num", text=str(int(value.q)))))
    text = f"{float(value):.15g}"
    if "e" not in text:
        return Box("num", text=text)
    mantissa, exponent = text.split("e")
    power = Box("sup", (Box("num", text="10"), _signed(int(exponent))))
    return power if mantissa == "1" else _row(Box("num", text=mantissa), Box("op", text="\u00b7"), power)


def _signed(value: int) -> Box:
    return Box("num", text=str(value)) if value >= 0 else _row(Box("op", text=MINUS), Box("num", text=str(-value)))


def _needs_brackets_as_base(expression: sympy.Expr) -> bool:
    if isinstance(expression, sympy.Add | sympy.Mul | sympy.Pow | Exp):
        return True
    return isinstance(expression, sympy.Number) and (expression < 0 or not isinstance(expression, sympy.Integer))


def _power(base: sympy.Expr, exponent: sympy.Expr) -> Box:
    """base^exponent for a positive exponent, or a root."""
    if exponent == sympy.S.Half:
        return Box("sqrt", (layout(base),))
    shown = layout(base)
    if _needs_brackets_as_base(base):
        shown = Box("paren", (shown,))
    return Box("sup", (shown, layout(exponent)))


def _is_reciprocal(factor: sympy.Expr) -> bool:
    return isinstance(factor, sympy.Pow) and isinstance(factor.exp, sympy.Number) and factor.exp < 0


def _factor(factor: sympy.Expr) -> Box:
    shown = layout(factor)
    return Box("paren", (shown,)) if isinstance(factor, sympy.Add) else shown


def _product(coefficient: sympy.Number, factors: tuple[sympy.Expr, ...]) -> Box:
    """A product with a non-negative coefficient: numerator over denominator."""
    numerator: list[tuple[sympy.Expr | None, Box]] = []
    denominator: list[tuple[sympy.Expr | None, Box]] = []
    if isinstance(coefficient, sympy.Rational):
        if coefficient.p != 1:
            numerator.append((None, Box("num", text=str(int(coefficient.p)))))
        if coefficient.q != 1:
            denominator.append((None, Box("num", text=str(int(coefficient.q)))))
    elif float(coefficient) != 1.0:  # a Float 1.0 is not == 1 in SymPy, but it shows as nothing all the same
        numerator.append((None, _number(coefficient)))
    for factor in factors:
        if _is_reciprocal(factor):
            positive = -factor.exp
            shown = layout(factor.base) if positive == 1 else _power(factor.base, positive)
            denominator.append((factor.base if positive == 1 else None, shown))
        else:
            numerator.append((factor, layout(factor)))
    top = _times(numerator) if numerator else Box("num", text="1")
    return Box("frac", (top, _times(denominator))) if denominator else top


def _times(factors: list[tuple[sympy.Expr | None, Box]]) -> Box:
    """Factors side by side; a sum among several is bracketed."""
    parts: list[Box] = []
    for expression, box in factors:
        if len(factors) > 1 and isinstance(expression, sympy.Add):
            box = Box("paren", (box,))
        if parts:
            parts.append(Box("op", text="\u00b7" if box.kind == "num" else "\u2062"))
        parts.append(box)
    return _row(*parts)


def _split_sign(expression: sympy.Expr) -> tuple[bool, sympy.Number, tuple[sympy.Expr, ...]]:
    """(negative?, |coefficient|, other factors), read from the tree's shape alone."""
    coefficient, rest = expression.as_coeff_Mul()  # the Number, Float or Rational, that leads a product
    factors = () if rest is sympy.S.One else sympy.Mul.make_args(rest)
    negative = bool(coefficient < 0)
    return negative, -coefficient if negative else coefficient, factors


def _term(expression: sympy.Expr) -> tuple[bool, Box]:
    negative, coefficient, factors = _split_sign(expression)
    if not factors:
        return negative, _number(coefficient)
    return negative, _product(coefficient, factors)


def layout(expression: sympy.Expr) -> Box:
    """The boxes of ``expression``."""
    if isinstance(expression, sympy.Symbol):
        return Box("id", text=expression.name)
    if expression is sympy.pi:
        return Box("id", text="\u03c0")
    if expression is sympy.E:
        return Box("id", text="e")
    if isinstance(expression, sympy.Number):
        negative, shown = expression < 0, _number(abs(expression))
        return _row(Box("op", text=MINUS), shown) if negative else shown
    if isinstance(expression, sympy.Add):
        parts: list[Box] = []
        for index, term in enumerate(expression.as_ordered_terms()):
            negative, shown = _term(term)
            if negative:
                parts += [Box("op", text=MINUS), shown]
            else:
                parts += [Box("op", text="+"), shown] if index else [shown]
        return _row(*parts)
    if isinstance(expression, sympy.Mul):
        negative, shown = _term(expression)
        return _row(Box("op", text=MINUS), shown) if negative else shown
    if isinstance(expression, sympy.Pow):
        if _is_reciprocal(expression):
            return _product(sympy.S.One, (expression,))
        return _power(expression.base, expression.exp)
    if isinstance(expression, Exp):
        return Box("sup", (Box("id", text="e"), layout(expression.args[0])))
    if isinstance(expression, Abs):
        return Box("abs", (layout(expression.args[0]),))
    if isinstance(expression, Elementary):
        return Box("fn", (layout(expression.args[0]),), expression.shown_name)
    return Box("text", text=sympy.sstr(expression))


def to_latex(box: Box) -> str:
    kind, parts = box.kind, box.parts
    if kind == "row":
        shown = "".join(to_latex(p) for p in parts)
        return "-" + shown[3:] if shown.startswith(" - ") else shown  # a leading sign has no spaces
    if kind in ("num", "id"):
        return {"\u03c0": r"\pi "}.get(box.text, box.text)
    if kind == "op":
        return {MINUS: " - ", "+": " + ", "\u00b7": r" \cdot ", "\u2062": " "}[box.text]
    if kind == "frac":
        return rf"\frac{{{to_latex(parts[0])}}}{{{to_latex(parts[1])}}}"
    if kind == "sup":
        return rf"{{{to_latex(parts[0])}}}^{{{to_latex(parts[1])}}}"
    if kind == "sqrt":
        return rf"\sqrt{{{to_latex(parts[0])}}}"
    if kind == "fn":
        name = LATEX_FUNCTIONS.get(box.text, "\\" + box.text)
        return rf"{name}{{\left({to_latex(parts[0])} \right)}}"
    if kind == "abs":
        return rf"\left|{to_latex(parts[0])}\right|"
    if kind == "paren":
        return rf"\left({to_latex(parts[0])}\right)"
    return rf"\text{{{box.text}}}"


def to_mathml(box: Box) -> str:
    kind, parts = box.kind, box.parts
    if kind == "row":
        return "<mrow>" + "".join(to_mathml(p) for p in parts) + "</mrow>"
    if kind == "num":
        return f"<mn>{escape(box.text)}</mn>"
    if kind == "id":
        return f"<mi>{escape(box.text)}</mi>"
    if kind == "op":
        return f"<mo>{escape(box.text)}</mo>"
    if kind == "frac":
        return f"<mfrac>{_group(parts[0])}{_group(parts[1])}</mfrac>"
    if kind == "sup":
        return f"<msup>{_group(parts[0])}{_group(parts[1])}</msup>"
    if kind == "sqrt":
        return f"<msqrt>{to_mathml(parts[0])}</msqrt>"
    if kind == "fn":
        return f"<mrow><mi>{escape(box.text)}</mi><mo>\u2061</mo>{to_mathml(Box('paren', parts))}</mrow>"
    if kind == "abs":
        return f"<mrow><mo>|</mo>{to_mathml(parts[0])}<mo>|</mo></mrow>"
    if kind == "paren":
        return f"<mrow><mo>(</mo>{to_mathml(parts[0])}<mo>)</mo></mrow>"
    return f"<mtext>{escape(box.text)}</mtext>"


def _group(box: Box) -> str:
    """One child of mfrac or msup: a single element."""
    shown = to_mathml(box)
    return shown if box.kind != "op" else f"<mrow>{shown}</mrow>"


def latex(expression: sympy.Expr) -> str:
    return to_latex(layout(expression)).strip()


def mathml(expression: sympy.Expr) -> str:
    """Presentation MathML (the inside of a <math> element)."""
    return to_mathml(layout(expression))

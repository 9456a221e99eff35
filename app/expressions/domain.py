"""Where a typed formula has no value, as a keyed sentence: "the domain of log at x = −4 (log needs a positive ...)".

When a run steps to a point where the loss or its slope is not a finite
number, every part of the formula is worked out at that point in floating
point (NumPy, no SymPy evaluation, so it costs microseconds), innermost
parts first, and the first part that broke is named with its argument. The phrase
is a sentence of the catalogue's ``domain.*`` block (:mod:`app.sentence`): the
formula's parts travel as text, the numbers as numbers.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from app.expressions.formula import Formula, as_text
from app.expressions.functions import Elementary, Log
from app.sentence import Sentence, sentence


def evaluate_parts(expression: sympy.Expr, values: dict[sympy.Symbol, float]) -> dict[sympy.Basic, float]:
    """The value of every part of ``expression`` at one point, in floating point (NaN where a part breaks)."""
    out: dict[sympy.Basic, float] = {}
    with np.errstate(all="ignore"):
        for part in sympy.postorder_traversal(expression):
            if part in out:
                continue
            if isinstance(part, sympy.Symbol):
                value = np.float64(values.get(part, np.nan))
            elif not part.args:  # a number, pi or e: never a SymPy evaluation of anything larger
                try:
                    value = np.float64(float(part))
                except (TypeError, ValueError, OverflowError):
                    value = np.float64(np.nan)
            else:
                args = [out[a] for a in part.args]
                if isinstance(part, sympy.Add):
                    value = np.sum(args, dtype=np.float64)
                elif isinstance(part, sympy.Mul):
                    value = np.prod(args, dtype=np.float64)
                elif isinstance(part, sympy.Pow):
                    value = np.power(args[0], args[1])
                elif isinstance(part, Elementary):
                    value = getattr(np, part.numpy_name)(args[0])
                else:
                    value = np.float64(np.nan)
            out[part] = float(value)
    return out


def _short(expression: sympy.Expr) -> str:
    text = as_text(expression)
    return text if len(text) <= 40 else text[:37] + "..."


def _name_of_power(exponent: float) -> Sentence:
    return sentence("domain.sqrt") if exponent == 0.5 else sentence("domain.power", exponent=exponent)


def _value_domain(part: sympy.Basic, parts: dict, where: list[Sentence]) -> Sentence | None:
    """The phrase for a part whose argument is outside its domain, or None."""
    if isinstance(part, Log):
        argument = parts[part.args[0]]
        if math.isfinite(argument) and argument <= 0:
            return sentence("domain.log", where=where, part=_short(part.args[0]), value=argument)
    if isinstance(part, sympy.Pow):
        base, exponent = parts[part.base], parts[part.exp]
        if not (math.isfinite(base) and math.isfinite(exponent)):
            return None
        if base == 0 and exponent < 0:
            return sentence("domain.divides_by_zero", where=where, part=_short(part), base=_short(part.base))
        if base < 0 and exponent != int(exponent):
            if part.exp.is_number:
                return sentence(
                    "domain.root", where=where, power=_name_of_power(exponent), base=_short(part.base), value=base
                )
            return sentence("domain.variable_power", where=where, part=_short(part), base=_short(part.base), value=base)
    return None


def _slope_domain(part: sympy.Basic, parts: dict, where: list[Sentence]) -> Sentence | None:
    """The phrase for a part that has a value but no finite slope (sqrt at 0), or None."""
    if not isinstance(part, sympy.Pow):
        return None
    base, exponent = parts[part.base], parts[part.exp]
    if base != 0 or not math.isfinite(exponent):
        return None
    if part.exp.is_number and 0 < exponent < 1:
        return sentence("domain.slope_root", where=where, power=_name_of_power(exponent), base=_short(part.base))
    if not part.exp.is_number:
        return sentence("domain.slope_variable_power", where=where, part=_short(part), base=_short(part.base))
    return None


def _overflow(part: sympy.Basic, parts: dict, where: list[Sentence], in_slope: bool = False) -> Sentence | None:
    """The phrase for the innermost part that is infinite although its arguments are finite, or None."""
    if not part.args or math.isfinite(parts[part]) or not all(math.isfinite(parts[a]) for a in part.args):
        return None
    slope = "_slope" if in_slope else ""
    if math.isinf(parts[part]):
        return sentence(f"domain.overflow{slope}", where=where, part=_short(part))
    return sentence(f"domain.not_a_number{slope}", where=where, part=_short(part))


def explain_undefined(found: Formula, point: np.ndarray) -> Sentence | None:
    """Which part of the formula, or of its slope, has no value at ``point``; None when none can be named.

    The phrase fits both "it left ..." and "the start point lies outside ..."; its key starts with
    ``domain.overflow`` when floating point ran out rather than the formula's domain.
    """
    coordinates = [float(v) for v in np.asarray(point, dtype=float).ravel()[: found.dim]]
    values = dict(zip(found.variables, coordinates, strict=True))
    where = [sentence("domain.coordinate", variable=str(v), value=values[v]) for v in found.variables]
    parts = evaluate_parts(found.expression, values)
    order = list(sympy.postorder_traversal(found.expression))  # innermost first: the first part to break
    for check in (_value_domain, _overflow, _slope_domain):
        for part in order:
            phrase = check(part, parts, where)
            if phrase:
                return phrase
    for partial in found.gradient:  # the formula is fine here but a slope overflows
        slope_parts = evaluate_parts(partial, values)
        for part in sympy.postorder_traversal(partial):
            phrase = _overflow(part, slope_parts, where, in_slope=True)
            if phrase:
                return phrase
    return None

"""The line search of SciPy's BFGS and CG: Moré–Thuente first, Nocedal–Wright's zoom if that fails.

Given a point x, a direction p and the value and slope there, it looks for a
step length α with enough decrease, ``f(x+αp) ≤ f(x) + c1·α·gᵀp``, and a
flattened slope, ``|g(x+αp)ᵀp| ≤ c2·|gᵀp|`` (the strong Wolfe conditions).
As ``scipy.optimize._optimize._line_search_wolfe12`` does, it first runs
MINPACK's ``dcsrch`` (:mod:`app.optimizers.more_thuente`), and if that finds
nothing, or its step fails the caller's ``extra_condition``, the bracketing
and zoom search of Nocedal & Wright (Algorithms 3.5 and 3.6, SciPy's
``scalar_search_wolfe2``). The first trial step is SciPy's: the step that
would lower the loss as much as the last iteration did, on a parabola,
``α₁ = min(1, 1.01·2·(f − f_prev)/gᵀp)``.

Every value and slope goes through the counting oracle, so a search's cost
is counted; like SciPy's ``ScalarFunction``, the line remembers its last
point, so asking twice for the same point costs once, and our counts are
SciPy's ``nfev`` and ``njev``. Every point tried is returned for the pages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.optimizers.base import Oracle
from app.optimizers.more_thuente import dcsrch
from app.sentence import Sentence, sentence

# Step bounds and the relative bracket width at which dcsrch gives up: SciPy's for BFGS and CG.
AMIN, AMAX, XTOL = 1e-100, 1e100, 1e-14
ZOOM_BRACKETS = 10  # doublings before the zoom search takes its last step unchecked (SciPy's maxiter)
ZOOM_TRIALS = 10  # interpolations inside a bracket (SciPy's)

# extra_condition(alpha, point, value, grad): a caller's own test of a Wolfe step (CG's descent test).
ExtraCondition = Callable[[float, np.ndarray, float, np.ndarray], bool]


@dataclass
class LineSearchResult:
    alpha: float | None  # None when no acceptable step was found
    value: float  # at the step, or at x when none was found
    grad: np.ndarray | None  # at the step
    trial_points: list[np.ndarray] = field(default_factory=list)
    method: str = "more_thuente"  # "more_thuente", "zoom" (Nocedal–Wright) or "failed"
    reason: Sentence | None = None  # when it failed: why, a keyed sentence that ends "Stalled after n steps: ..."


class _Line:
    """f and ∇f along x + α·p through the oracle, remembering the last point as SciPy's ScalarFunction does."""

    def __init__(self, oracle: Oracle, x: np.ndarray, direction: np.ndarray, value: float, grad: np.ndarray) -> None:
        self.oracle, self.x, self.direction = oracle, x, direction
        self._point: np.ndarray = x
        self._value: float | None = value
        self._grad: np.ndarray | None = grad
        self.trials: list[np.ndarray] = []

    def _move(self, alpha: float) -> np.ndarray:
        point = self.x + alpha * self.direction
        if point.tolist() != self._point.tolist():  # np.array_equal's answer (NaN is unequal) at a tenth of its cost
            self._point, self._value, self._grad = point, None, None
            self.trials.append(point)
        return self._point

    def value(self, alpha: float) -> float:
        point = self._move(alpha)
        if self._value is None:
            value = self.oracle.value(point)
            self._value = math.inf if math.isnan(value) else value  # no value (outside a domain): higher than all
        return self._value

    def grad(self, alpha: float) -> np.ndarray:
        point = self._move(alpha)
        if self._grad is None:
            self._grad = self.oracle.grad(point)
        return self._grad

    def slope(self, alpha: float) -> float:
        return float(np.dot(self.grad(alpha), self.direction))


def first_trial_step(value0: float, previous_value: float | None, slope0: float) -> float:
    """SciPy's α₁: the step a parabola predicts would repeat the last decrease, at most 1 (1 without a history)."""
    if previous_value is None or slope0 == 0:
        return 1.0
    alpha1 = min(1.0, 1.01 * 2 * (value0 - previous_value) / slope0)
    return 1.0 if alpha1 < 0 else alpha1


def wolfe_line_search(
    oracle: Oracle,
    x: np.ndarray,
    direction: np.ndarray,
    value0: float,
    grad0: np.ndarray,
    previous_value: float | None = None,
    c1: float = 1e-4,
    c2: float = 0.9,
    extra_condition: ExtraCondition | None = None,
) -> LineSearchResult:
    """A strong-Wolfe step along ``direction`` as SciPy's ``_line_search_wolfe12`` finds it, or why none was found."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # as SciPy around dcstep: inf, not a fault
        return _search(oracle, x, direction, value0, grad0, previous_value, c1, c2, extra_condition)


def _search(
    oracle: Oracle,
    x: np.ndarray,
    direction: np.ndarray,
    value0: float,
    grad0: np.ndarray,
    previous_value: float | None,
    c1: float,
    c2: float,
    extra_condition: ExtraCondition | None,
) -> LineSearchResult:
    line = _Line(oracle, x, direction, value0, grad0)
    slope0 = float(np.dot(grad0, direction))
    alpha1 = first_trial_step(value0, previous_value, slope0)

    def accept(alpha: float, value: float) -> bool:
        """The caller's own test of a Wolfe step (it costs nothing more: the slope there is known)."""
        return extra_condition is None or extra_condition(alpha, x + alpha * direction, value, line.grad(alpha))

    alpha, value, _ = dcsrch(line.value, line.slope, alpha1, value0, slope0, c1, c2, XTOL, AMIN, AMAX)
    if alpha is not None and accept(alpha, value):
        return LineSearchResult(alpha, value, line.grad(alpha), line.trials, "more_thuente")
    alpha, value = _bracket_and_zoom(line, value0, slope0, alpha1, c1, c2, accept)
    if alpha is not None:
        return LineSearchResult(alpha, value, line.grad(alpha), line.trials, "zoom")
    return LineSearchResult(None, value0, None, line.trials, "failed", _why(alpha1, slope0, line.trials))


def _why(alpha1: float, slope0: float, trials: list[np.ndarray]) -> Sentence:
    if not slope0 < 0:
        return sentence("stall.uphill", slope=slope0)
    if alpha1 == 0:
        return sentence("stall.no_change")
    return sentence("stall.no_wolfe_step", n=len(trials))


def _bracket_and_zoom(
    line: _Line,
    phi0: float,
    derphi0: float,
    alpha1: float,
    c1: float,
    c2: float,
    accept: Callable[[float, float], bool],
) -> tuple[float | None, float]:
    """Nocedal & Wright's Algorithm 3.5 as SciPy's ``scalar_search_wolfe2``: double the step until a bracket holds."""
    alpha1 = min(alpha1, AMAX)
    alpha0, phi_a0, derphi_a0 = 0.0, phi0, derphi0
    phi_a1 = line.value(alpha1)
    for i in range(ZOOM_BRACKETS):
        if alpha1 == 0 or alpha0 > AMAX:
            return None, phi0
        if phi_a1 > phi0 + c1 * alpha1 * derphi0 or (phi_a1 >= phi_a0 and i > 0):
            return _zoom(line, alpha0, alpha1, phi_a0, phi_a1, derphi_a0, phi0, derphi0, c1, c2, accept)
        derphi_a1 = line.slope(alpha1)
        if abs(derphi_a1) <= -c2 * derphi0 and accept(alpha1, phi_a1):
            return alpha1, phi_a1
        if derphi_a1 >= 0:
            return _zoom(line, alpha1, alpha0, phi_a1, phi_a0, derphi_a1, phi0, derphi0, c1, c2, accept)
        alpha0, alpha1 = alpha1, min(2 * alpha1, AMAX)
        phi_a0, derphi_a0 = phi_a1, derphi_a1
        phi_a1 = line.value(alpha1)
    return alpha1, phi_a1  # SciPy takes the last doubled step, unchecked, when its doublings run out


def _zoom(
    line: _Line,
    a_lo: float,
    a_hi: float,
    phi_lo: float,
    phi_hi: float,
    derphi_lo: float,
    phi0: float,
    derphi0: float,
    c1: float,
    c2: float,
    accept: Callable[[float, float], bool],
) -> tuple[float | None, float]:
    """Algorithm 3.6: shrink [a_lo, a_hi] by cubic, else quadratic, else bisection, until a Wolfe step is found."""
    phi_rec, a_rec = phi0, 0.0
    for i in range(ZOOM_TRIALS + 1):
        dalpha = a_hi - a_lo
        lo, hi = (a_hi, a_lo) if dalpha < 0 else (a_lo, a_hi)
        a_j = _cubicmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi, a_rec, phi_rec) if i > 0 else None
        if a_j is None or a_j > hi - 0.2 * dalpha or a_j < lo + 0.2 * dalpha:
            a_j = _quadmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi)
            if a_j is None or a_j > hi - 0.1 * dalpha or a_j < lo + 0.1 * dalpha:
                a_j = a_lo + 0.5 * dalpha
        phi_aj = line.value(a_j)
        if phi_aj > phi0 + c1 * a_j * derphi0 or phi_aj >= phi_lo:
            phi_rec, a_rec = phi_hi, a_hi
            a_hi, phi_hi = a_j, phi_aj
        else:
            derphi_aj = line.slope(a_j)
            if abs(derphi_aj) <= -c2 * derphi0 and accept(a_j, phi_aj):
                return a_j, phi_aj
            if derphi_aj * (a_hi - a_lo) >= 0:
                phi_rec, a_rec = phi_hi, a_hi
                a_hi, phi_hi = a_lo, phi_lo
            else:
                phi_rec, a_rec = phi_lo, a_lo
            a_lo, phi_lo, derphi_lo = a_j, phi_aj, derphi_aj
    return None, phi0


def _cubicmin(a: float, fa: float, fpa: float, b: float, fb: float, c: float, fc: float) -> float | None:
    """Minimiser of the cubic through (a, fa) with slope fpa, (b, fb) and (c, fc); None if it has none."""
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        try:
            db, dc = b - a, c - a
            denom = (db * dc) ** 2 * (db - dc)
            d1 = np.array([[dc**2, -(db**2)], [-(dc**3), db**3]])
            big_a, big_b = np.dot(d1, np.array([fb - fa - fpa * db, fc - fa - fpa * dc]))
            big_a /= denom
            big_b /= denom
            radical = big_b * big_b - 3 * big_a * fpa
            xmin = a + (-big_b + np.sqrt(radical)) / (3 * big_a)
        except ArithmeticError:
            return None
    return float(xmin) if np.isfinite(xmin) else None


def _quadmin(a: float, fa: float, fpa: float, b: float, fb: float) -> float | None:
    """Minimiser of the parabola through (a, fa) with slope fpa and (b, fb); None if it has none."""
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        try:
            db = np.float64(b - a * 1.0)
            curvature = (fb - fa - fpa * db) / (db * db)
            xmin = a - fpa / (2.0 * curvature)
        except ArithmeticError:
            return None
    return float(xmin) if np.isfinite(xmin) else None

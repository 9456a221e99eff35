"""A strong-Wolfe line search (Nocedal & Wright, Algorithms 3.5 and 3.6), as SciPy's ``scalar_search_wolfe2``.

Given a point x, a descent direction p and the value and slope there, it
finds a step length alpha with enough decrease (``f(x+αp) <= f(x) + c1·α·g·p``)
and a flattened slope (``|g(x+αp)·p| <= c2·|g·p|``). Every probe goes
through the oracle, so its cost is counted, and every trial point is
returned so a page can draw where the method looked. If the Wolfe search
fails, it falls back to backtracking on the first condition alone, and says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.optimizers.base import Oracle


@dataclass
class LineSearchResult:
    alpha: float | None  # None when no acceptable step was found
    value: float
    grad: np.ndarray | None
    trial_points: list[np.ndarray] = field(default_factory=list)
    method: str = "wolfe"  # "wolfe", "backtracking" or "failed"


def _cubicmin(a: float, fa: float, fpa: float, b: float, fb: float, c: float, fc: float) -> float | None:
    """Minimiser of the cubic through (a, fa) with slope fpa, (b, fb) and (c, fc)."""
    with np.errstate(all="raise"):
        try:
            db, dc = b - a, c - a
            denom = (db * dc) ** 2 * (db - dc)
            rhs1, rhs2 = fb - fa - fpa * db, fc - fa - fpa * dc
            big_a = (dc**2 * rhs1 - db**2 * rhs2) / denom
            big_b = (-(dc**3) * rhs1 + db**3 * rhs2) / denom
            radical = big_b * big_b - 3 * big_a * fpa
            xmin = a + (-big_b + np.sqrt(radical)) / (3 * big_a)
        except (ArithmeticError, FloatingPointError):
            return None
    return float(xmin) if np.isfinite(xmin) else None


def _quadmin(a: float, fa: float, fpa: float, b: float, fb: float) -> float | None:
    """Minimiser of the parabola through (a, fa) with slope fpa and (b, fb)."""
    with np.errstate(all="raise"):
        try:
            db = b - a
            curvature = (fb - fa - fpa * db) / (db * db)
            xmin = a - fpa / (2.0 * curvature)
        except (ArithmeticError, FloatingPointError):
            return None
    return float(xmin) if np.isfinite(xmin) else None


def wolfe_line_search(
    oracle: Oracle,
    x: np.ndarray,
    direction: np.ndarray,
    value0: float,
    grad0: np.ndarray,
    previous_value: float | None = None,
    c1: float = 1e-4,
    c2: float = 0.9,
    max_iter: int = 10,
) -> LineSearchResult:
    """A step length satisfying the strong Wolfe conditions, or a backtracking fallback."""
    trials: list[np.ndarray] = []
    grads: dict[float, np.ndarray] = {}

    def phi(alpha: float) -> float:
        point = x + alpha * direction
        trials.append(point)
        return oracle.value(point)

    def derphi(alpha: float) -> float:
        g = oracle.grad(x + alpha * direction)
        grads[alpha] = g
        return float(g @ direction)

    derphi0 = float(grad0 @ direction)
    if not derphi0 < 0:
        return LineSearchResult(None, value0, None, trials, "failed")
    alpha1 = 1.0
    if previous_value is not None and derphi0 != 0:
        alpha1 = min(1.0, 1.01 * 2 * (value0 - previous_value) / derphi0)
        if alpha1 <= 0:
            alpha1 = 1.0
    star = _wolfe(phi, derphi, value0, derphi0, alpha1, c1, c2, max_iter)
    if star is not None:
        alpha, value = star
        grad = grads.get(alpha)
        if grad is None:
            grad = oracle.grad(x + alpha * direction)
        return LineSearchResult(alpha, value, grad, trials, "wolfe")
    return _backtrack(phi, value0, derphi0, c1, trials, lambda a: oracle.grad(x + a * direction))


def _wolfe(
    phi: Callable[[float], float],
    derphi: Callable[[float], float],
    phi0: float,
    derphi0: float,
    alpha1: float,
    c1: float,
    c2: float,
    max_iter: int,
) -> tuple[float, float] | None:
    alpha0, phi_a0, derphi_a0 = 0.0, phi0, derphi0
    phi_a1 = phi(alpha1)
    for i in range(max_iter):
        if not math.isfinite(phi_a1):
            return _zoom(alpha0, alpha1, phi_a0, math.inf, derphi_a0, phi, derphi, phi0, derphi0, c1, c2)
        if phi_a1 > phi0 + c1 * alpha1 * derphi0 or (phi_a1 >= phi_a0 and i > 0):
            return _zoom(alpha0, alpha1, phi_a0, phi_a1, derphi_a0, phi, derphi, phi0, derphi0, c1, c2)
        derphi_a1 = derphi(alpha1)
        if abs(derphi_a1) <= -c2 * derphi0:
            return alpha1, phi_a1
        if derphi_a1 >= 0:
            return _zoom(alpha1, alpha0, phi_a1, phi_a0, derphi_a1, phi, derphi, phi0, derphi0, c1, c2)
        alpha0, alpha1 = alpha1, 2 * alpha1
        phi_a0, derphi_a0 = phi_a1, derphi_a1
        phi_a1 = phi(alpha1)
    return None


def _zoom(
    a_lo: float,
    a_hi: float,
    phi_lo: float,
    phi_hi: float,
    derphi_lo: float,
    phi: Callable[[float], float],
    derphi: Callable[[float], float],
    phi0: float,
    derphi0: float,
    c1: float,
    c2: float,
    max_iter: int = 10,
) -> tuple[float, float] | None:
    """Shrink [a_lo, a_hi] by cubic, then quadratic, then bisection until the Wolfe conditions hold."""
    phi_rec, a_rec = phi0, 0.0
    for i in range(max_iter + 1):
        dalpha = a_hi - a_lo
        lo, hi = (a_hi, a_lo) if dalpha < 0 else (a_lo, a_hi)
        a_j = None
        if i > 0 and math.isfinite(phi_hi):
            cchk = 0.2 * dalpha
            a_j = _cubicmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi, a_rec, phi_rec)
            if a_j is not None and (a_j > hi - cchk or a_j < lo + cchk):
                a_j = None
        if a_j is None and math.isfinite(phi_hi):
            qchk = 0.1 * dalpha
            a_j = _quadmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi)
            if a_j is not None and (a_j > hi - qchk or a_j < lo + qchk):
                a_j = None
        if a_j is None:
            a_j = a_lo + 0.5 * dalpha
        phi_aj = phi(a_j)
        if not math.isfinite(phi_aj) or phi_aj > phi0 + c1 * a_j * derphi0 or phi_aj >= phi_lo:
            phi_rec, a_rec = phi_hi, a_hi
            a_hi, phi_hi = a_j, phi_aj
        else:
            derphi_aj = derphi(a_j)
            if abs(derphi_aj) <= -c2 * derphi0:
                return a_j, phi_aj
            if derphi_aj * (a_hi - a_lo) >= 0:
                phi_rec, a_rec = phi_hi, a_hi
                a_hi, phi_hi = a_lo, phi_lo
            else:
                phi_rec, a_rec = phi_lo, a_lo
            a_lo, phi_lo, derphi_lo = a_j, phi_aj, derphi_aj
    return None


def _backtrack(
    phi: Callable[[float], float],
    phi0: float,
    derphi0: float,
    c1: float,
    trials: list[np.ndarray],
    grad_at: Callable[[float], np.ndarray],
) -> LineSearchResult:
    """Halve the step until the loss drops enough (Armijo); the fallback when Wolfe fails."""
    alpha = 1.0
    for _ in range(60):
        value = phi(alpha)
        if math.isfinite(value) and value <= phi0 + c1 * alpha * derphi0:
            return LineSearchResult(alpha, value, grad_at(alpha), trials, "backtracking")
        alpha *= 0.5
    return LineSearchResult(None, phi0, None, trials, "failed")

"""Claims about the function itself: flat points, which way is downhill, curvature, its minima and slopes."""

from __future__ import annotations

import math

import numpy as np

from app.objectives.base import Objective
from app.scenes.claims.base import Played, Verdict, fmt, hessian_at, register, value_at


@register
def flat_at(played: Played, point: list[float]) -> Verdict:
    """The slope is zero at ``point``."""
    grad = np.asarray(played.objective.grad(np.asarray(point, dtype=float)), dtype=float)
    return Verdict(bool(np.linalg.norm(grad) <= 1e-9), f"gradient {fmt(grad)} at {point}")


def _along(played: Played, point: list[float], direction: list[float]) -> tuple[np.ndarray, float, float]:
    p, d = np.asarray(point, dtype=float), np.asarray(direction, dtype=float)
    here = value_at(played.objective, p)
    steps = [sign * t for t in (1e-3, 0.1, 0.5, 1.0) for sign in (1, -1)]
    changes = np.array([value_at(played.objective, p + step * d) - here for step in steps])
    curvature = float(d @ hessian_at(played.objective, p) @ d)
    return changes, curvature, here


@register
def downhill_along(played: Played, point: list[float], direction: list[float]) -> Verdict:
    """Both ways along ``direction`` from ``point`` the function falls, and it curves down there."""
    changes, curvature, _ = _along(played, point, direction)
    holds = bool(np.all(changes < 0)) and curvature < 0
    return Verdict(holds, f"along {direction}: changes {fmt(changes)}, curvature {curvature:.4g}")


@register
def uphill_along(played: Played, point: list[float], direction: list[float]) -> Verdict:
    """Both ways along ``direction`` from ``point`` the function rises, and it curves up there."""
    changes, curvature, _ = _along(played, point, direction)
    holds = bool(np.all(changes > 0)) and curvature > 0
    return Verdict(holds, f"along {direction}: changes {fmt(changes)}, curvature {curvature:.4g}")


@register
def not_a_minimum(played: Played, point: list[float]) -> Verdict:
    """Arbitrarily close to ``point`` there is lower ground."""
    p = np.asarray(point, dtype=float)
    here = value_at(played.objective, p)
    lower = []
    for t in (1e-3, 1e-2, 1e-1):
        around = [p + t * s * e for e in np.eye(len(p)) for s in (1, -1)]
        lower.append(min(value_at(played.objective, q) for q in around) < here)
    return Verdict(all(lower), f"lower ground within 0.001, 0.01, 0.1 of {point}: {lower}")


@register
def curvature_ratio(played: Played, at: list[float], to: list[float], at_least: float, at_most: float) -> Verdict:
    """(1D) f″ at ``at`` divided by f″ at ``to`` lies in [at_least, at_most]."""
    ratio = float(hessian_at(played.objective, at)[0, 0] / hessian_at(played.objective, to)[0, 0])
    return Verdict(at_least <= ratio <= at_most, f"f″{at} / f″{to} = {ratio:.4g}")


@register
def curvature_across_along(played: Played, point: list[float], ratio: float) -> Verdict:
    """(2D) The larger curvature is ``ratio`` times the smaller at ``point``."""
    eigenvalues = np.linalg.eigvalsh(hessian_at(played.objective, point))
    seen = float(eigenvalues.max() / eigenvalues.min())
    return Verdict(math.isclose(seen, ratio, rel_tol=1e-9), f"curvatures {fmt(eigenvalues)}: ratio {seen:.6g}")


@register
def step_is_stable_at(played: Played, lr: float, point: list[float]) -> Verdict:
    """A gradient step of size ``lr`` shrinks the distance near ``point``: |1 − lr·f″| < 1 (1D)."""
    factor = abs(1 - lr * float(hessian_at(played.objective, point)[0, 0]))
    return Verdict(factor < 1, f"|1 − {lr}·f″{point}| = {factor:.4g}")


@register
def step_is_unstable_at(played: Played, lr: float, point: list[float]) -> Verdict:
    """A gradient step of size ``lr`` overshoots and grows near ``point``: |1 − lr·f″| > 1 (1D)."""
    factor = abs(1 - lr * float(hessian_at(played.objective, point)[0, 0]))
    return Verdict(factor > 1, f"|1 − {lr}·f″{point}| = {factor:.4g}")


@register
def minima_equally_deep(played: Played, count: int) -> Verdict:
    """The function has ``count`` minima, all of the same height."""
    values = [m.value for m in played.objective.minima]
    holds = len(values) == count and max(values) - min(values) <= 1e-9
    return Verdict(holds, f"{len(values)} minima with values {fmt(values)}")


def _domain_grid(objective: Objective, n: int = 101) -> np.ndarray:
    (x0, x1), (y0, y1) = objective.domain
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


@register
def values_span(played: Played, low: float, high: float) -> Verdict:
    """(2D) Over its default square the function's lowest value is ``low`` and its highest at least ``high``."""
    lowest = min(m.value for m in played.objective.minima)
    highest = max(value_at(played.objective, p) for p in _domain_grid(played.objective))
    holds = math.isclose(lowest, low, rel_tol=1e-9) and highest >= high
    return Verdict(holds, f"values from {lowest:.6g} to {highest:.6g}")


@register
def slopes_differ_by(played: Played, factor: float) -> Verdict:
    """(2D) Across its square, steep places (95th percentile) have slopes ``factor`` times flat ones (5th)."""
    norms = [float(np.linalg.norm(played.objective.grad(p))) for p in _domain_grid(played.objective)]
    steep, flat = np.percentile(norms, 95), np.percentile(norms, 5)
    return Verdict(steep >= factor * flat, f"slope sizes {flat:.3g} (5th percentile) to {steep:.3g} (95th)")


@register
def minima_depths(played: Played, count: int, deepest: int) -> Verdict:
    """The function has ``count`` minima, of which exactly ``deepest`` share the lowest value."""
    values = sorted(m.value for m in played.objective.minima)
    ties = sum(1 for v in values if math.isclose(v, values[0], rel_tol=1e-9, abs_tol=1e-12))
    return Verdict(len(values) == count and ties == deepest, f"{len(values)} minima with values {fmt(values)}")


@register
def valley_runs_along(played: Played, point: list[float], direction: list[float]) -> Verdict:
    """(2D) The gentlest curvature at ``point`` is along ``direction``: the valley's floor runs that way."""
    eigenvalues, vectors = np.linalg.eigh(hessian_at(played.objective, point))
    gentle = vectors[:, 0]
    d = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    cosine = abs(float(gentle @ d))
    return Verdict(cosine >= 1 - 1e-9, f"gentlest curvature {eigenvalues[0]:.4g} along {fmt(gentle)}")

"""Claims about where runs go: the points they visit, how they converge, bounce or diverge, where they end."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from app.objectives.base import Objective
from app.scenes.claims.base import Played, Verdict, fmt, hessian_at, how_it_ended, points_of, register, sign_changes


@register
def visits(played: Played, run: int, points: list[list[float]]) -> Verdict:
    """Its first steps land exactly on these points (the worked example's table)."""
    seen = points_of(played.runs[run])[1 : len(points) + 1]
    holds = seen.shape == np.shape(points) and bool(np.allclose(seen, points, rtol=1e-12, atol=1e-12))
    return Verdict(holds, f"run {run} visited {fmt(seen.ravel())}")


@register
def converges(played: Played, run: int, within: int | None = None) -> Verdict:
    """It passes the tolerance test (within ``within`` steps, if given)."""
    r = played.runs[run]
    holds = r.status == "converged" and (within is None or r.step <= within)
    return Verdict(holds, f"run {run} {how_it_ended(r)}")


@register
def converges_slowly(played: Played, run: int, after_at_least: int) -> Verdict:
    """It gets there, but only after many steps."""
    r = played.runs[run]
    return Verdict(r.status == "converged" and r.step >= after_at_least, f"run {run} {how_it_ended(r)}")


@register
def one_step(played: Played, run: int) -> Verdict:
    """One step lands on the bottom."""
    r = played.runs[run]
    return Verdict(r.status == "converged" and r.step == 1, f"run {run} {how_it_ended(r)}")


@register
def same_number_of_steps(played: Played, a: int, b: int) -> Verdict:
    """Both converge, after exactly as many steps."""
    ra, rb = played.runs[a], played.runs[b]
    holds = ra.status == rb.status == "converged" and ra.step == rb.step
    return Verdict(holds, f"run {a} {how_it_ended(ra)}; run {b} {how_it_ended(rb)}")


@register
def diverges(played: Played, run: int, within: int | None = None) -> Verdict:
    r = played.runs[run]
    holds = r.status == "diverged" and (within is None or r.step <= within)
    return Verdict(holds, f"run {run} {how_it_ended(r)}: {r.message}")


@register
def does_not_diverge(played: Played, run: int) -> Verdict:
    r = played.runs[run]
    return Verdict(r.status != "diverged", f"run {run} {how_it_ended(r)}")


@register
def runs_to_the_limit(played: Played, run: int, steps: int) -> Verdict:
    """It neither converges nor diverges: it is still walking after ``steps`` steps."""
    r = played.runs[run]
    return Verdict(r.status == "max_steps" and r.step == steps, f"run {run} {how_it_ended(r)}")


@register
def distance_shrinks_by(played: Played, run: int, of: list[float], factor: float) -> Verdict:
    """Every step multiplies the distance to ``of`` by ``factor`` (|1 − lr·f″| on a parabola)."""
    distances = np.linalg.norm(points_of(played.runs[run]) - np.asarray(of), axis=1)
    far = distances[:-1] > 1e-6  # below that, rounding decides the ratio
    ratios = distances[1:][far] / distances[:-1][far]
    holds = ratios.size > 0 and bool(np.allclose(ratios, factor, rtol=1e-6, atol=1e-9))
    return Verdict(holds, f"run {run}: distance ratios from {ratios.min():.6g} to {ratios.max():.6g}")


@register
def alternates_sides(played: Played, run: int, of: float, axis: int = 0) -> Verdict:
    """Every step lands on the other side of ``of`` (along ``axis``) until it is there."""
    offsets = points_of(played.runs[run])[:, axis] - of
    offsets = offsets[np.abs(offsets) > 1e-9]
    changes = sign_changes(offsets)
    return Verdict(
        offsets.size > 2 and changes == offsets.size - 1,
        f"run {run} changed side {changes} times in {offsets.size} points",
    )


@register
def stays_on_one_side(played: Played, run: int, of: float, axis: int = 0) -> Verdict:
    """It never crosses ``of`` along ``axis``."""
    offsets = points_of(played.runs[run])[:, axis] - of
    changes = sign_changes(offsets)
    return Verdict(changes == 0, f"run {run} crossed {changes} times; ended at {fmt(offsets[-1:] + of)}")


@register
def crosses_less_often(played: Played, a: int, b: int, of: float, axis: int = 0) -> Verdict:
    """Run ``a`` crosses ``of`` along ``axis`` fewer times than run ``b`` (a smoother path)."""
    ca = sign_changes(points_of(played.runs[a])[:, axis] - of)
    cb = sign_changes(points_of(played.runs[b])[:, axis] - of)
    return Verdict(ca < cb, f"run {a} crossed {ca} times, run {b} {cb} times")


@register
def bounces_forever(played: Played, run: int, of: list[float]) -> Verdict:
    """It jumps from side to side at the same distance from ``of`` every step, to the end of the run."""
    r = played.runs[run]
    points = points_of(r)
    distances = np.linalg.norm(points - np.asarray(of), axis=1)
    same = bool(np.allclose(distances, distances[0], rtol=1e-12))
    turns = sign_changes(points[:, 0] - of[0])
    holds = same and turns == len(points) - 1 and r.status == "max_steps"
    return Verdict(holds, f"run {run} {how_it_ended(r)}; distance from {distances.min():.6g} to {distances.max():.6g}")


@register
def ends_near(played: Played, run: int, point: list[float], within: float) -> Verdict:
    end = points_of(played.runs[run])[-1]
    distance = float(np.linalg.norm(end - np.asarray(point)))
    return Verdict(distance <= within, f"run {run} ended at {fmt(end)}, {distance:.4g} from {point}")


@register
def ends_far_from(played: Played, run: int, point: list[float], beyond: float) -> Verdict:
    end = points_of(played.runs[run])[-1]
    distance = float(np.linalg.norm(end - np.asarray(point)))
    return Verdict(distance > beyond, f"run {run} ended at {fmt(end)}, {distance:.4g} from {point}")


@register
def ends_along_axis(played: Played, run: int, axis: int, ratio: float) -> Verdict:
    """It ends out along one axis: that coordinate is at least ``ratio`` times every other's size."""
    end = np.abs(points_of(played.runs[run])[-1])
    others = np.delete(end, axis)
    return Verdict(bool(np.all(end[axis] >= ratio * others)), f"run {run} ended at {fmt(end)} (sizes)")


def _minimum_reached(objective: Objective, run: Any, within: float = 1e-3) -> Any:
    end = points_of(run)[-1]
    for minimum in objective.minima:
        if np.linalg.norm(end - np.asarray(minimum.point)) <= within:
            return minimum
    return None


@register
def ends_in_minimum(played: Played, run: int, kind: str) -> Verdict:
    """It ends at one of the function's minima of this kind: "global" (the deepest) or "local"."""
    minimum = _minimum_reached(played.objective, played.runs[run])
    end = fmt(points_of(played.runs[run])[-1])
    if minimum is None:
        return Verdict(False, f"run {run} ended at {end}, at none of the function's minima")
    return Verdict(minimum.kind == kind, f"run {run} ended at the {minimum.kind} minimum {fmt(minimum.point)}")


@register
def ends_in_different_minima(played: Played, runs: list[int]) -> Verdict:
    """Each run ends at one of the function's minima, no two at the same one."""
    reached = [_minimum_reached(played.objective, played.runs[i]) for i in runs]
    names = ["none" if m is None else fmt(m.point) for m in reached]
    distinct = len({m.point for m in reached if m is not None})
    return Verdict(None not in reached and distinct == len(runs), f"runs {runs} ended at minima {', '.join(names)}")


@register
def ends_in_first_valley_downhill(played: Played, run: int) -> Verdict:
    """(1D) It stops in the first valley reached by walking downhill from its start, not a farther one."""
    objective, r = played.objective, played.runs[run]
    x = float(points_of(r)[0, 0])
    direction = -np.sign(float(objective.grad(np.array([x]))[0]))
    step = 1e-4
    while True:  # walk down until the slope turns: that is the first valley downhill
        nxt = x + direction * step
        if np.sign(float(objective.grad(np.array([nxt]))[0])) != -direction:
            break
        x = nxt
    end = float(points_of(r)[-1, 0])
    return Verdict(abs(end - x) <= 1e-3, f"run {run} ended at {end:.6g}; the first valley downhill is at {x:.4g}")


@register
def moves_straight_to(played: Played, run: int, point: list[float]) -> Verdict:
    """Every step heads straight for ``point``: the path is a segment of the line from the start to it."""
    points = points_of(played.runs[run]) - np.asarray(point)
    start = points[0] / np.linalg.norm(points[0])
    off_line = np.abs(points[:, 0] * start[1] - points[:, 1] * start[0])
    distances = np.linalg.norm(points, axis=1)
    holds = bool(off_line.max() <= 1e-9 * distances[0]) and bool(np.all(np.diff(distances) <= 0))
    return Verdict(holds, f"run {run}: largest distance from the line {off_line.max():.3g}")


@register
def lingers_then_leaves(
    played: Played, run: int, point: list[float], radius: float, steps: int, beyond: float
) -> Verdict:
    """It spends at least ``steps`` steps within ``radius`` of ``point``, then ends farther than ``beyond``."""
    distances = np.linalg.norm(points_of(played.runs[run]) - np.asarray(point), axis=1)
    near = int(np.count_nonzero(distances <= radius))
    holds = near >= steps and distances[-1] > beyond
    return Verdict(holds, f"run {run}: {near} steps within {radius} of {point}, ended {distances[-1]:.3g} away")


@register
def leaves_first(played: Played, a: int, b: int, point: list[float], beyond: float) -> Verdict:
    """Run ``a`` gets farther than ``beyond`` from ``point`` before run ``b`` does."""

    def first_out(i: int) -> float:
        out = np.nonzero(np.linalg.norm(points_of(played.runs[i]) - np.asarray(point), axis=1) > beyond)[0]
        return float(out[0]) if out.size else math.inf

    fa, fb = first_out(a), first_out(b)
    return Verdict(fa < fb, f"run {a} left at step {fa}, run {b} at step {fb}")


@register
def reaches_curve(played: Played, run: int, curve: str, within_steps: int, tol: float) -> Verdict:
    """It comes within ``tol`` of a curve (e.g. Rosenbrock's valley floor y = x²) within ``within_steps``."""
    residual = CURVES[curve](points_of(played.runs[run]))
    close = np.nonzero(np.abs(residual) <= tol)[0]
    first = int(close[0]) if close.size else None
    return Verdict(first is not None and first <= within_steps, f"run {run} first came within {tol} at step {first}")


CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {"y = x^2": lambda p: p[:, 1] - p[:, 0] ** 2}


@register
def reaches_stable_ground(played: Played, run: int, lr: float, within_steps: int) -> Verdict:
    """(1D) From some step no later than ``within_steps`` on, every point is where |1 − lr·f″| < 1."""
    xs = points_of(played.runs[run])[:, 0]
    unstable = [k for k, x in enumerate(xs) if abs(1 - lr * float(hessian_at(played.objective, [x])[0, 0])) >= 1]
    settled = unstable[-1] + 1 if unstable else 0
    return Verdict(settled <= within_steps, f"run {run}: on stable ground from step {settled} on")

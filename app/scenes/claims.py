"""Claims: small named predicates over played runs, each the proof of a sentence in a caption or description.

Every claim is a pure function ``(played, **args) -> Verdict``: it reads the runs' frames (and, where the
sentence is about the landscape, the objective), changes nothing, and says whether it holds and what the
runs actually did, so that a failing claim explains itself. Runs are named by their index in the scene
(``run``, ``a``, ``b``, ``runs``), exactly as the page numbers its runners from 0.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.nn.landscape import project_history
from app.nn.model import unflatten
from app.nn.neuron import neuron_picture
from app.objectives.base import Objective


@dataclass(frozen=True)
class Played:
    """A scene's runs after playing, and the function they ran on (None for networks)."""

    runs: Sequence[Any]
    objective: Objective | None = None


@dataclass(frozen=True)
class Verdict:
    holds: bool
    saw: str  # what the runs did, in words, whether or not the claim holds


ClaimFunction = Callable[..., Verdict]
CLAIMS: dict[str, ClaimFunction] = {}


def _claim(function: ClaimFunction) -> ClaimFunction:
    CLAIMS[function.__name__] = function
    return function


# ----- reading runs ---------------------------------------------------------------------------------------------


def _points(run: Any) -> np.ndarray:
    """Every frame's parameters, one row per step."""
    return np.array([frame["params"] for frame in run.frames], dtype=float)


def _losses(run: Any) -> np.ndarray:
    return np.array([math.nan if f["loss"] is None else f["loss"] for f in run.frames], dtype=float)


def _end(run: Any) -> str:
    return f"ended {run.status} at step {run.step}"


def _fmt(values: Any) -> str:
    return np.array2string(np.asarray(values, dtype=float), precision=6, separator=", ")


def _first_step_at_or_below(run: Any, loss: float) -> int | None:
    below = np.nonzero(_losses(run) <= loss)[0]
    return int(below[0]) if below.size else None


def _sign_changes(values: np.ndarray) -> int:
    signs = np.sign(values)
    signs = signs[signs != 0]
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def _evaluations(run: Any) -> dict[str, int]:
    return run.oracle.counts()


def _hessian(objective: Objective, point: Sequence[float]) -> np.ndarray:
    return np.atleast_2d(np.asarray(objective.hessian(np.asarray(point, dtype=float)), dtype=float))


def _value(objective: Objective, point: Sequence[float] | np.ndarray) -> float:
    return float(objective.value(np.asarray(point, dtype=float)))


# ----- where runs go ----------------------------------------------------------------------------------------------


@_claim
def visits(played: Played, run: int, points: list[list[float]]) -> Verdict:
    """Its first steps land exactly on these points (the worked example's table)."""
    seen = _points(played.runs[run])[1 : len(points) + 1]
    holds = seen.shape == np.shape(points) and bool(np.allclose(seen, points, rtol=1e-12, atol=1e-12))
    return Verdict(holds, f"run {run} visited {_fmt(seen.ravel())}")


@_claim
def converges(played: Played, run: int, within: int | None = None) -> Verdict:
    """It passes the tolerance test (within ``within`` steps, if given)."""
    r = played.runs[run]
    holds = r.status == "converged" and (within is None or r.step <= within)
    return Verdict(holds, f"run {run} {_end(r)}")


@_claim
def converges_slowly(played: Played, run: int, after_at_least: int) -> Verdict:
    """It gets there, but only after many steps."""
    r = played.runs[run]
    return Verdict(r.status == "converged" and r.step >= after_at_least, f"run {run} {_end(r)}")


@_claim
def one_step(played: Played, run: int) -> Verdict:
    """One step lands on the bottom."""
    r = played.runs[run]
    return Verdict(r.status == "converged" and r.step == 1, f"run {run} {_end(r)}")


@_claim
def same_number_of_steps(played: Played, a: int, b: int) -> Verdict:
    """Both converge, after exactly as many steps."""
    ra, rb = played.runs[a], played.runs[b]
    holds = ra.status == rb.status == "converged" and ra.step == rb.step
    return Verdict(holds, f"run {a} {_end(ra)}; run {b} {_end(rb)}")


@_claim
def diverges(played: Played, run: int, within: int | None = None) -> Verdict:
    r = played.runs[run]
    holds = r.status == "diverged" and (within is None or r.step <= within)
    return Verdict(holds, f"run {run} {_end(r)}: {r.message}")


@_claim
def does_not_diverge(played: Played, run: int) -> Verdict:
    r = played.runs[run]
    return Verdict(r.status != "diverged", f"run {run} {_end(r)}")


@_claim
def distance_shrinks_by(played: Played, run: int, of: list[float], factor: float) -> Verdict:
    """Every step multiplies the distance to ``of`` by ``factor`` (|1 − lr·f″| on a parabola)."""
    distances = np.linalg.norm(_points(played.runs[run]) - np.asarray(of), axis=1)
    far = distances[:-1] > 1e-6  # below that, rounding decides the ratio
    ratios = distances[1:][far] / distances[:-1][far]
    holds = ratios.size > 0 and bool(np.allclose(ratios, factor, rtol=1e-6, atol=1e-9))
    return Verdict(holds, f"run {run}: distance ratios from {ratios.min():.6g} to {ratios.max():.6g}")


@_claim
def alternates_sides(played: Played, run: int, of: float, axis: int = 0) -> Verdict:
    """Every step lands on the other side of ``of`` (along ``axis``) until it is there."""
    offsets = _points(played.runs[run])[:, axis] - of
    offsets = offsets[np.abs(offsets) > 1e-9]
    changes = _sign_changes(offsets)
    return Verdict(
        offsets.size > 2 and changes == offsets.size - 1,
        f"run {run} changed side {changes} times in {offsets.size} points",
    )


@_claim
def stays_on_one_side(played: Played, run: int, of: float, axis: int = 0) -> Verdict:
    """It never crosses ``of`` along ``axis``."""
    offsets = _points(played.runs[run])[:, axis] - of
    changes = _sign_changes(offsets)
    return Verdict(changes == 0, f"run {run} crossed {changes} times; ended at {_fmt(offsets[-1:] + of)}")


@_claim
def crosses_less_often(played: Played, a: int, b: int, of: float, axis: int = 0) -> Verdict:
    """Run ``a`` crosses ``of`` along ``axis`` fewer times than run ``b`` (a smoother path)."""
    ca = _sign_changes(_points(played.runs[a])[:, axis] - of)
    cb = _sign_changes(_points(played.runs[b])[:, axis] - of)
    return Verdict(ca < cb, f"run {a} crossed {ca} times, run {b} {cb} times")


@_claim
def bounces_forever(played: Played, run: int, of: list[float]) -> Verdict:
    """It jumps from side to side at the same distance from ``of`` every step, to the end of the run."""
    r = played.runs[run]
    points = _points(r)
    distances = np.linalg.norm(points - np.asarray(of), axis=1)
    same = bool(np.allclose(distances, distances[0], rtol=1e-12))
    turns = _sign_changes(points[:, 0] - of[0])
    holds = same and turns == len(points) - 1 and r.status == "max_steps"
    return Verdict(holds, f"run {run} {_end(r)}; distance from {distances.min():.6g} to {distances.max():.6g}")


@_claim
def ends_near(played: Played, run: int, point: list[float], within: float) -> Verdict:
    end = _points(played.runs[run])[-1]
    distance = float(np.linalg.norm(end - np.asarray(point)))
    return Verdict(distance <= within, f"run {run} ended at {_fmt(end)}, {distance:.4g} from {point}")


@_claim
def ends_far_from(played: Played, run: int, point: list[float], beyond: float) -> Verdict:
    end = _points(played.runs[run])[-1]
    distance = float(np.linalg.norm(end - np.asarray(point)))
    return Verdict(distance > beyond, f"run {run} ended at {_fmt(end)}, {distance:.4g} from {point}")


def _minimum_reached(objective: Objective, run: Any, within: float = 1e-3) -> Any:
    end = _points(run)[-1]
    for minimum in objective.minima:
        if np.linalg.norm(end - np.asarray(minimum.point)) <= within:
            return minimum
    return None


@_claim
def ends_in_minimum(played: Played, run: int, kind: str) -> Verdict:
    """It ends at one of the function's minima of this kind: "global" (the deepest) or "local"."""
    minimum = _minimum_reached(played.objective, played.runs[run])
    end = _fmt(_points(played.runs[run])[-1])
    if minimum is None:
        return Verdict(False, f"run {run} ended at {end}, at none of the function's minima")
    return Verdict(minimum.kind == kind, f"run {run} ended at the {minimum.kind} minimum {_fmt(minimum.point)}")


@_claim
def ends_in_different_minima(played: Played, runs: list[int]) -> Verdict:
    """Each run ends at one of the function's minima, no two at the same one."""
    reached = [_minimum_reached(played.objective, played.runs[i]) for i in runs]
    names = ["none" if m is None else _fmt(m.point) for m in reached]
    distinct = len({m.point for m in reached if m is not None})
    return Verdict(None not in reached and distinct == len(runs), f"runs {runs} ended at minima {', '.join(names)}")


@_claim
def ends_in_first_valley_downhill(played: Played, run: int) -> Verdict:
    """(1D) It stops in the first valley reached by walking downhill from its start, not a farther one."""
    objective, r = played.objective, played.runs[run]
    x = float(_points(r)[0, 0])
    direction = -np.sign(float(objective.grad(np.array([x]))[0]))
    step = 1e-4
    while True:  # walk down until the slope turns: that is the first valley downhill
        nxt = x + direction * step
        if np.sign(float(objective.grad(np.array([nxt]))[0])) != -direction:
            break
        x = nxt
    end = float(_points(r)[-1, 0])
    return Verdict(abs(end - x) <= 1e-3, f"run {run} ended at {end:.6g}; the first valley downhill is at {x:.4g}")


@_claim
def moves_straight_to(played: Played, run: int, point: list[float]) -> Verdict:
    """Every step heads straight for ``point``: the path is a segment of the line from the start to it."""
    points = _points(played.runs[run]) - np.asarray(point)
    start = points[0] / np.linalg.norm(points[0])
    off_line = np.abs(points[:, 0] * start[1] - points[:, 1] * start[0])
    distances = np.linalg.norm(points, axis=1)
    holds = bool(off_line.max() <= 1e-9 * distances[0]) and bool(np.all(np.diff(distances) <= 0))
    return Verdict(holds, f"run {run}: largest distance from the line {off_line.max():.3g}")


@_claim
def lingers_then_leaves(
    played: Played, run: int, point: list[float], radius: float, steps: int, beyond: float
) -> Verdict:
    """It spends at least ``steps`` steps within ``radius`` of ``point``, then ends farther than ``beyond``."""
    distances = np.linalg.norm(_points(played.runs[run]) - np.asarray(point), axis=1)
    near = int(np.count_nonzero(distances <= radius))
    holds = near >= steps and distances[-1] > beyond
    return Verdict(holds, f"run {run}: {near} steps within {radius} of {point}, ended {distances[-1]:.3g} away")


@_claim
def leaves_first(played: Played, a: int, b: int, point: list[float], beyond: float) -> Verdict:
    """Run ``a`` gets farther than ``beyond`` from ``point`` before run ``b`` does."""

    def first_out(i: int) -> float:
        out = np.nonzero(np.linalg.norm(_points(played.runs[i]) - np.asarray(point), axis=1) > beyond)[0]
        return float(out[0]) if out.size else math.inf

    fa, fb = first_out(a), first_out(b)
    return Verdict(fa < fb, f"run {a} left at step {fa}, run {b} at step {fb}")


@_claim
def reaches_curve(played: Played, run: int, curve: str, within_steps: int, tol: float) -> Verdict:
    """It comes within ``tol`` of a curve (e.g. Rosenbrock's valley floor y = x²) within ``within_steps``."""
    residual = CURVES[curve](_points(played.runs[run]))
    close = np.nonzero(np.abs(residual) <= tol)[0]
    first = int(close[0]) if close.size else None
    return Verdict(first is not None and first <= within_steps, f"run {run} first came within {tol} at step {first}")


CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {"y = x^2": lambda p: p[:, 1] - p[:, 0] ** 2}


# ----- how runs compare -------------------------------------------------------------------------------------------


@_claim
def reaches_loss_first(played: Played, a: int, b: int, loss: float) -> Verdict:
    """Run ``a`` gets the loss down to ``loss`` in fewer steps than run ``b`` (which may never)."""
    fa, fb = _first_step_at_or_below(played.runs[a], loss), _first_step_at_or_below(played.runs[b], loss)
    holds = fa is not None and (fb is None or fa < fb)
    return Verdict(holds, f"loss {loss:g} reached by run {a} at step {fa}, by run {b} at step {fb}")


@_claim
def fewer_steps_than(played: Played, runs: list[int], others: list[int]) -> Verdict:
    """Each of ``runs`` converges in fewer steps than any of ``others`` takes."""
    mine = [played.runs[i] for i in runs]
    theirs = [played.runs[i] for i in others]
    holds = all(r.status == "converged" for r in mine) and max(r.step for r in mine) < min(r.step for r in theirs)
    return Verdict(holds, f"steps: {[r.step for r in mine]} against {[r.step for r in theirs]}")


@_claim
def loss_never_rises(played: Played, run: int) -> Verdict:
    losses = _losses(played.runs[run])
    rises = int(np.count_nonzero(np.diff(losses) > 1e-12 * (1 + np.abs(losses[:-1]))))
    return Verdict(rises == 0, f"run {run}: the loss rose on {rises} steps")


@_claim
def loss_rises_more_often(played: Played, a: int, b: int) -> Verdict:
    """Run ``a``'s path is noisier: its loss goes up on more steps than run ``b``'s."""
    ra, rb = (int(np.count_nonzero(np.diff(_losses(played.runs[i])) > 0)) for i in (a, b))
    return Verdict(ra > rb, f"the loss rose on {ra} steps of run {a} and {rb} of run {b}")


# ----- what runs cost -----------------------------------------------------------------------------------------------


@_claim
def one_gradient_per_step(played: Played, run: int) -> Verdict:
    """It knows only the slope where it stands: one gradient a step, no values, no curvature."""
    r = played.runs[run]
    counts = _evaluations(r)
    holds = counts["grad"] == r.step and counts["f"] == 0 and counts["hessian"] == 0
    return Verdict(holds, f"run {run}: {counts} in {r.step} steps")


@_claim
def no_derivatives(played: Played, run: int) -> Verdict:
    """It never computes a slope or a curvature, only values."""
    counts = _evaluations(played.runs[run])
    holds = counts["grad"] == 0 and counts["hessian"] == 0 and counts["f"] > 0
    return Verdict(holds, f"run {run}: {counts}")


@_claim
def evaluations_per_step_above(played: Played, run: int, value: float) -> Verdict:
    """Each step costs more than ``value`` evaluations (values, slopes and curvatures together), on average."""
    r = played.runs[run]
    counts = _evaluations(r)
    per_step = sum(counts.values()) / max(r.step, 1)
    return Verdict(per_step > value, f"run {run}: {counts} in {r.step} steps, {per_step:.3g} a step")


# ----- the landscape itself -------------------------------------------------------------------------------------------


@_claim
def flat_at(played: Played, point: list[float]) -> Verdict:
    """The slope is zero at ``point``."""
    grad = np.asarray(played.objective.grad(np.asarray(point, dtype=float)), dtype=float)
    return Verdict(bool(np.linalg.norm(grad) <= 1e-9), f"gradient {_fmt(grad)} at {point}")


def _along(played: Played, point: list[float], direction: list[float]) -> tuple[np.ndarray, float, float]:
    p, d = np.asarray(point, dtype=float), np.asarray(direction, dtype=float)
    here = _value(played.objective, p)
    changes = np.array([_value(played.objective, p + s * t * d) - here for t in (1e-3, 0.1, 0.5, 1.0) for s in (1, -1)])
    curvature = float(d @ _hessian(played.objective, p) @ d)
    return changes, curvature, here


@_claim
def downhill_along(played: Played, point: list[float], direction: list[float]) -> Verdict:
    """Both ways along ``direction`` from ``point`` the function falls, and it curves down there."""
    changes, curvature, _ = _along(played, point, direction)
    holds = bool(np.all(changes < 0)) and curvature < 0
    return Verdict(holds, f"along {direction}: changes {_fmt(changes)}, curvature {curvature:.4g}")


@_claim
def uphill_along(played: Played, point: list[float], direction: list[float]) -> Verdict:
    """Both ways along ``direction`` from ``point`` the function rises, and it curves up there."""
    changes, curvature, _ = _along(played, point, direction)
    holds = bool(np.all(changes > 0)) and curvature > 0
    return Verdict(holds, f"along {direction}: changes {_fmt(changes)}, curvature {curvature:.4g}")


@_claim
def not_a_minimum(played: Played, point: list[float]) -> Verdict:
    """Arbitrarily close to ``point`` there is lower ground."""
    p = np.asarray(point, dtype=float)
    here = _value(played.objective, p)
    lower = []
    for t in (1e-3, 1e-2, 1e-1):
        around = [p + t * s * e for e in np.eye(len(p)) for s in (1, -1)]
        lower.append(min(_value(played.objective, q) for q in around) < here)
    return Verdict(all(lower), f"lower ground within 0.001, 0.01, 0.1 of {point}: {lower}")


@_claim
def curvature_ratio(played: Played, at: list[float], to: list[float], at_least: float, at_most: float) -> Verdict:
    """(1D) f″ at ``at`` divided by f″ at ``to`` lies in [at_least, at_most]."""
    ratio = float(_hessian(played.objective, at)[0, 0] / _hessian(played.objective, to)[0, 0])
    return Verdict(at_least <= ratio <= at_most, f"f″{at} / f″{to} = {ratio:.4g}")


@_claim
def curvature_across_along(played: Played, point: list[float], ratio: float) -> Verdict:
    """(2D) The larger curvature is ``ratio`` times the smaller at ``point``."""
    eigenvalues = np.linalg.eigvalsh(_hessian(played.objective, point))
    seen = float(eigenvalues.max() / eigenvalues.min())
    return Verdict(math.isclose(seen, ratio, rel_tol=1e-9), f"curvatures {_fmt(eigenvalues)}: ratio {seen:.6g}")


@_claim
def step_is_stable_at(played: Played, lr: float, point: list[float]) -> Verdict:
    """A gradient step of size ``lr`` shrinks the distance near ``point``: |1 − lr·f″| < 1 (1D)."""
    factor = abs(1 - lr * float(_hessian(played.objective, point)[0, 0]))
    return Verdict(factor < 1, f"|1 − {lr}·f″{point}| = {factor:.4g}")


@_claim
def step_is_unstable_at(played: Played, lr: float, point: list[float]) -> Verdict:
    """A gradient step of size ``lr`` overshoots and grows near ``point``: |1 − lr·f″| > 1 (1D)."""
    factor = abs(1 - lr * float(_hessian(played.objective, point)[0, 0]))
    return Verdict(factor > 1, f"|1 − {lr}·f″{point}| = {factor:.4g}")


@_claim
def minima_equally_deep(played: Played, count: int) -> Verdict:
    """The function has ``count`` minima, all of the same height."""
    values = [m.value for m in played.objective.minima]
    holds = len(values) == count and max(values) - min(values) <= 1e-9
    return Verdict(holds, f"{len(values)} minima with values {_fmt(values)}")


# ----- networks -------------------------------------------------------------------------------------------------------


def _final(run: Any, field: str) -> float:
    return run.frames[-1][field]


@_claim
def accuracy_at_least(played: Played, run: int, value: float) -> Verdict:
    """At its last step it classifies at least this share of the training points right."""
    r = played.runs[run]
    return Verdict(
        _final(r, "accuracy") >= value, f"run {run} {_end(r)} with training accuracy {_final(r, 'accuracy')}"
    )


@_claim
def accuracy_at_most(played: Played, run: int, value: float) -> Verdict:
    r = played.runs[run]
    return Verdict(
        _final(r, "accuracy") <= value, f"run {run} {_end(r)} with training accuracy {_final(r, 'accuracy')}"
    )


@_claim
def learning_stops(played: Played, run: int) -> Verdict:
    """Training has come to rest: the gradient has all but vanished, so more steps change nothing."""
    r = played.runs[run]
    norm = _final(r, "grad_norm")
    return Verdict(norm is not None and norm < 1e-5, f"run {run} {_end(r)} with gradient norm {norm}")


@_claim
def loss_falls_to(played: Played, run: int, fraction: float) -> Verdict:
    """Its final loss is at most ``fraction`` of its starting loss."""
    losses = _losses(played.runs[run])
    return Verdict(losses[-1] <= fraction * losses[0], f"run {run}: loss {losses[0]:.4g} -> {losses[-1]:.4g}")


@_claim
def every_weight_moves(played: Played, run: int, steps: int) -> Verdict:
    """Each of the first ``steps`` steps changes every weight and bias at once."""
    history = np.array(played.runs[run].history[: steps + 1])
    still = int(np.count_nonzero(np.diff(history, axis=0) == 0))
    return Verdict(len(history) == steps + 1 and still == 0, f"run {run}: {still} unchanged weights over {steps} steps")


def _layer_norms(run: Any, step: int = 0) -> list[float]:
    return [0.0 if v is None else v for v in run.frames[step]["layer_grad_norms"]]


@_claim
def first_layer_gradient_at_most(played: Played, run: int, share_of_last: float) -> Verdict:
    """At the start, the first layer's gradient is at most ``share_of_last`` of the last layer's."""
    norms = _layer_norms(played.runs[run])
    share = norms[0] / norms[-1]
    return Verdict(share <= share_of_last, f"run {run}: layer gradient norms {_fmt(norms)}, first/last {share:.3g}")


@_claim
def first_layer_gradient_ratio(played: Played, a: int, b: int, at_least: float, at_most: float) -> Verdict:
    """At the start, run ``a``'s first-layer gradient is between ``at_least`` and ``at_most`` times run ``b``'s."""
    ratio = _layer_norms(played.runs[a])[0] / _layer_norms(played.runs[b])[0]
    return Verdict(at_least <= ratio <= at_most, f"first-layer gradient of run {a} / run {b} = {ratio:.4g}")


@_claim
def layer_moves_at_most(played: Played, run: int, layer: int, relative: float) -> Verdict:
    """Over the whole run, layer ``layer``'s weights change by at most ``relative`` of their size."""
    r = played.runs[run]
    before, after = unflatten(r.history[0], r.arch)[layer][0], unflatten(r.history[-1], r.arch)[layer][0]
    change = float(np.linalg.norm(after - before) / np.linalg.norm(before))
    return Verdict(change <= relative, f"run {run}: layer {layer}'s weights changed by {change:.3g} of their size")


@_claim
def hidden_units_identical(played: Played, run: int) -> Verdict:
    """At every step, the units of each hidden layer have the same weights in, bias and weights out."""
    r = played.runs[run]
    worst = 0.0
    for theta in r.history:
        layers = unflatten(theta, r.arch)
        for (w_in, b_in), (w_out, _) in itertools.pairwise(layers):
            worst = max(
                worst, float(np.ptp(w_in, axis=1).max()), float(np.ptp(b_in)), float(np.ptp(w_out, axis=0).max())
            )
    return Verdict(
        worst == 0.0, f"run {run}: largest difference between units of a layer {worst:.3g} over {r.step} steps"
    )


@_claim
def loss_stays_near(played: Played, run: int, value: float, within: float) -> Verdict:
    losses = _losses(played.runs[run])
    gap = float(np.abs(losses - value).max())
    return Verdict(gap <= within, f"run {run}: loss between {losses.min():.6g} and {losses.max():.6g}")


@_claim
def examples_per_update(played: Played, run: int, examples: int | str) -> Verdict:
    """Each update learns from this many examples ("all": the whole training set)."""
    r = played.runs[run]
    wanted = r.data.x_train.shape[0] if examples == "all" else examples
    seen = _final(r, "examples") / _final(r, "updates")
    return Verdict(seen == wanted, f"run {run}: {seen:g} examples per update")


# ----- the single neuron (drawn by app.nn.neuron, beside the network's runs) ---------------------------------------


@_claim
def neuron_output_after(
    played: Played,
    loss: str,
    step: int,
    at_least: float = 0.0,
    at_most: float = 1.0,
    start: tuple = (2.0, 2.0),
    lr: float = 0.15,
) -> Verdict:
    """The single neuron (x = 1, target 0) trained with ``loss`` outputs between the bounds after ``step`` steps."""
    output = float(neuron_picture(tuple(start), lr, step, resolution=5).outputs[loss][step])
    return Verdict(at_least <= output <= at_most, f"the {loss} neuron outputs {output:.4g} after {step} steps")


@_claim
def hidden_units_differ(played: Played, run: int) -> Verdict:
    """After training, no two units of a hidden layer are the same: the symmetry is broken."""
    r = played.runs[run]
    layers = unflatten(r.history[-1], r.arch)
    closest = math.inf
    for w_in, b_in in layers[:-1]:
        units = np.vstack([w_in, b_in[None, :]]).T
        for i in range(len(units)):
            for j in range(i + 1, len(units)):
                closest = min(closest, float(np.abs(units[i] - units[j]).max()))
    return Verdict(closest > 1e-3, f"run {run}: the two most alike hidden units differ by {closest:.3g}")


@_claim
def path_mostly_in_plane(played: Played, run: int, share: float) -> Verdict:
    """The weights' path lies mostly in one plane: its top two principal directions hold ``share`` of its spread."""
    explained = sum(project_history(np.array(played.runs[run].history)).explained)
    return Verdict(explained >= share, f"run {run}: the top two directions hold {explained:.3f} of the spread")


@_claim
def reaches_stable_ground(played: Played, run: int, lr: float, within_steps: int) -> Verdict:
    """(1D) From some step no later than ``within_steps`` on, every point is where |1 − lr·f″| < 1."""
    xs = _points(played.runs[run])[:, 0]
    unstable = [k for k, x in enumerate(xs) if abs(1 - lr * float(_hessian(played.objective, [x])[0, 0])) >= 1]
    settled = unstable[-1] + 1 if unstable else 0
    return Verdict(settled <= within_steps, f"run {run}: on stable ground from step {settled} on")


@_claim
def ends_along_axis(played: Played, run: int, axis: int, ratio: float) -> Verdict:
    """It ends out along one axis: that coordinate is at least ``ratio`` times every other's size."""
    end = np.abs(_points(played.runs[run])[-1])
    others = np.delete(end, axis)
    return Verdict(bool(np.all(end[axis] >= ratio * others)), f"run {run} ended at {_fmt(end)} (sizes)")


@_claim
def runs_to_the_limit(played: Played, run: int, steps: int) -> Verdict:
    """It neither converges nor diverges: it is still walking after ``steps`` steps."""
    r = played.runs[run]
    return Verdict(r.status == "max_steps" and r.step == steps, f"run {run} {_end(r)}")


@_claim
def steps_are_minus_lr_times_slope(played: Played, run: int, lr: float) -> Verdict:
    """Every step is θ ← θ − lr·g, with g the slope where the step starts."""
    r = played.runs[run]
    points = _points(r)
    slopes = np.array([f["grad"] for f in r.frames[:-1]], dtype=float)
    worst = float(np.abs(points[1:] - (points[:-1] - lr * slopes)).max())
    return Verdict(worst <= 1e-12 * (1 + np.abs(points).max()), f"run {run}: largest gap from θ − lr·g {worst:.3g}")


@_claim
def steps_of_fixed_size(played: Played, run: int, lr: float, decay: float) -> Verdict:
    """Step t moves every coordinate by lr·decay^(t−1), however steep the slope: only its sign counts."""
    points = _points(played.runs[run])
    moved = np.abs(np.diff(points, axis=0))
    expected = lr * decay ** np.arange(len(moved))[:, None]
    slopes = np.array([f["grad"] for f in played.runs[run].frames[:-1]], dtype=float)
    worst = float(np.abs(moved - np.where(slopes != 0, expected, 0)).max())
    spread = float(np.abs(slopes).max() / max(np.abs(slopes[slopes != 0]).min(), 1e-300))
    return Verdict(
        worst <= 1e-12, f"run {run}: largest gap from lr·decay^(t−1) {worst:.3g}; slopes differed {spread:.3g}-fold"
    )


def _domain_grid(objective: Objective, n: int = 101) -> np.ndarray:
    (x0, x1), (y0, y1) = objective.domain
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


@_claim
def values_span(played: Played, low: float, high: float) -> Verdict:
    """(2D) Over its default square the function's lowest value is ``low`` and its highest at least ``high``."""
    lowest = min(m.value for m in played.objective.minima)
    highest = max(_value(played.objective, p) for p in _domain_grid(played.objective))
    holds = math.isclose(lowest, low, rel_tol=1e-9) and highest >= high
    return Verdict(holds, f"values from {lowest:.6g} to {highest:.6g}")


@_claim
def slopes_differ_by(played: Played, factor: float) -> Verdict:
    """(2D) Across its square, steep places (95th percentile) have slopes ``factor`` times flat ones (5th)."""
    norms = [float(np.linalg.norm(played.objective.grad(p))) for p in _domain_grid(played.objective)]
    steep, flat = np.percentile(norms, 95), np.percentile(norms, 5)
    return Verdict(steep >= factor * flat, f"slope sizes {flat:.3g} (5th percentile) to {steep:.3g} (95th)")


@_claim
def minima_depths(played: Played, count: int, deepest: int) -> Verdict:
    """The function has ``count`` minima, of which exactly ``deepest`` share the lowest value."""
    values = sorted(m.value for m in played.objective.minima)
    ties = sum(1 for v in values if math.isclose(v, values[0], rel_tol=1e-9, abs_tol=1e-12))
    return Verdict(len(values) == count and ties == deepest, f"{len(values)} minima with values {_fmt(values)}")


@_claim
def valley_runs_along(played: Played, point: list[float], direction: list[float]) -> Verdict:
    """(2D) The gentlest curvature at ``point`` is along ``direction``: the valley's floor runs that way."""
    eigenvalues, vectors = np.linalg.eigh(_hessian(played.objective, point))
    gentle = vectors[:, 0]
    d = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    cosine = abs(float(gentle @ d))
    return Verdict(cosine >= 1 - 1e-9, f"gentlest curvature {eigenvalues[0]:.4g} along {_fmt(gentle)}")

"""Claims that compare runs (who gets there first, whose path is noisier) and what their steps cost."""

from __future__ import annotations

import numpy as np

from app.scenes.claims.base import (
    Played,
    Verdict,
    evaluations_of,
    first_step_at_or_below,
    losses_of,
    points_of,
    register,
)


@register
def reaches_loss_first(played: Played, a: int, b: int, loss: float) -> Verdict:
    """Run ``a`` gets the loss down to ``loss`` in fewer steps than run ``b`` (which may never)."""
    fa, fb = first_step_at_or_below(played.runs[a], loss), first_step_at_or_below(played.runs[b], loss)
    holds = fa is not None and (fb is None or fa < fb)
    return Verdict(holds, f"loss {loss:g} reached by run {a} at step {fa}, by run {b} at step {fb}")


@register
def fewer_steps_than(played: Played, runs: list[int], others: list[int]) -> Verdict:
    """Each of ``runs`` converges in fewer steps than any of ``others`` takes."""
    mine = [played.runs[i] for i in runs]
    theirs = [played.runs[i] for i in others]
    holds = all(r.status == "converged" for r in mine) and max(r.step for r in mine) < min(r.step for r in theirs)
    return Verdict(holds, f"steps: {[r.step for r in mine]} against {[r.step for r in theirs]}")


@register
def loss_never_rises(played: Played, run: int) -> Verdict:
    losses = losses_of(played.runs[run])
    rises = int(np.count_nonzero(np.diff(losses) > 1e-12 * (1 + np.abs(losses[:-1]))))
    return Verdict(rises == 0, f"run {run}: the loss rose on {rises} steps")


@register
def loss_rises_more_often(played: Played, a: int, b: int) -> Verdict:
    """Run ``a``'s path is noisier: its loss goes up on more steps than run ``b``'s."""
    ra, rb = (int(np.count_nonzero(np.diff(losses_of(played.runs[i])) > 0)) for i in (a, b))
    return Verdict(ra > rb, f"the loss rose on {ra} steps of run {a} and {rb} of run {b}")


@register
def one_gradient_per_step(played: Played, run: int) -> Verdict:
    """It knows only the slope where it stands: one gradient a step, no values, no curvature."""
    r = played.runs[run]
    counts = evaluations_of(r)
    holds = counts["grad"] == r.step and counts["f"] == 0 and counts["hessian"] == 0
    return Verdict(holds, f"run {run}: {counts} in {r.step} steps")


@register
def no_derivatives(played: Played, run: int) -> Verdict:
    """It never computes a slope or a curvature, only values."""
    counts = evaluations_of(played.runs[run])
    holds = counts["grad"] == 0 and counts["hessian"] == 0 and counts["f"] > 0
    return Verdict(holds, f"run {run}: {counts}")


@register
def evaluations_per_step_above(played: Played, run: int, value: float) -> Verdict:
    """Each step costs more than ``value`` evaluations (values, slopes and curvatures together), on average."""
    r = played.runs[run]
    counts = evaluations_of(r)
    per_step = sum(counts.values()) / max(r.step, 1)
    return Verdict(per_step > value, f"run {run}: {counts} in {r.step} steps, {per_step:.3g} a step")


@register
def steps_are_minus_lr_times_slope(played: Played, run: int, lr: float) -> Verdict:
    """Every step is θ ← θ − lr·g, with g the slope where the step starts."""
    r = played.runs[run]
    points = points_of(r)
    slopes = np.array([f["grad"] for f in r.frames[:-1]], dtype=float)
    worst = float(np.abs(points[1:] - (points[:-1] - lr * slopes)).max())
    return Verdict(worst <= 1e-12 * (1 + np.abs(points).max()), f"run {run}: largest gap from θ − lr·g {worst:.3g}")


@register
def steps_of_fixed_size(played: Played, run: int, lr: float, decay: float) -> Verdict:
    """Step t moves every coordinate by lr·decay^(t−1), however steep the slope: only its sign counts."""
    points = points_of(played.runs[run])
    moved = np.abs(np.diff(points, axis=0))
    expected = lr * decay ** np.arange(len(moved))[:, None]
    slopes = np.array([f["grad"] for f in played.runs[run].frames[:-1]], dtype=float)
    worst = float(np.abs(moved - np.where(slopes != 0, expected, 0)).max())
    spread = float(np.abs(slopes).max() / max(np.abs(slopes[slopes != 0]).min(), 1e-300))
    return Verdict(
        worst <= 1e-12, f"run {run}: largest gap from lr·decay^(t−1) {worst:.3g}; slopes differed {spread:.3g}-fold"
    )

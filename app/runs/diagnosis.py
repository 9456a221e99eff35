"""Why a run blew up, in words a student understands, with the numbers.

For plain gradient descent on a quadratic bowl, a step multiplies the distance
to the minimum along the steepest direction by ``1 - lr * lambda_max``; once
``lr > 2 / lambda_max`` that factor exceeds 1 in size and every step
overshoots further. Momentum widens the stable range to ``2 (1 + mu) /
lambda_max`` (heavy ball) and ``2 (1 + mu) / ((1 + 2 mu) lambda_max)``
(Nesterov). Near the last finite point the Hessian plays the role of the bowl.
The words are the catalogue's (``diverged.*``, ``ground.*``): this module says
which sentence, with which numbers (:mod:`app.sentence`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from app.objectives.base import Objective
from app.sentence import Sentence, sentence, sentences


def stability_limit(optimizer_id: str, hp: Mapping[str, float], lambda_max: float) -> float | None:
    """Largest learning rate that is stable on a quadratic with top curvature ``lambda_max``."""
    if lambda_max <= 0:
        return None
    mu = float(hp.get("momentum", 0.0))
    lambda_max += float(hp.get("weight_decay", 0.0))  # torch's weight_decay adds λ·θ to the slope: more curvature
    if optimizer_id == "gd":
        return 2.0 / lambda_max
    if optimizer_id == "momentum":
        kept = 1.0 - float(hp.get("dampening", 0.0))  # dampening scales every later slope by (1 − τ)
        return 2.0 * (1.0 + mu) / (kept * lambda_max) if kept > 0 else None
    if optimizer_id == "nesterov":
        return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * lambda_max)
    return None


def top_curvature(objective: Objective, point: np.ndarray) -> float | None:
    """Largest Hessian eigenvalue at ``point``, or None where it cannot be had."""
    found = curvatures(objective, point)
    return None if found is None else float(found.max())


def curvatures(objective: Objective, point: np.ndarray) -> np.ndarray | None:
    """Hessian eigenvalues at ``point``, smallest first, or None where they cannot be had."""
    try:
        with np.errstate(all="ignore"):
            hessian = np.asarray(objective.hessian(point), dtype=float)
        if not np.isfinite(hessian).all():
            return None
        return np.linalg.eigvalsh(hessian)
    except (np.linalg.LinAlgError, ValueError, NotImplementedError):
        return None


def describe_flat_point(objective: Objective, point: np.ndarray) -> Sentence:
    """What a point with (almost) no slope is known to be: flat, and on a saddle or hilltop if it clearly is.

    A small slope is found at minima, saddles and inflections alike; only a clearly negative curvature
    (beyond 1e-3 of the largest) is told apart, since a tiny one cannot tell a valley from a shelf.
    """
    found = curvatures(objective, point)
    if found is not None and found[0] < -1e-3 * max(1.0, float(np.abs(found).max())):
        return sentence("ground.saddle", curvature=float(found[0]))
    return sentence("ground.flat")


def explain_divergence(
    objective: Objective,
    optimizer_id: str,
    hp: Mapping[str, float],
    lr: float | None,
    last_point: np.ndarray,
    last_loss: float,
    start_loss: float,
    curvature_point: np.ndarray,
    kept_step: int,
    reason: Sentence,
    next_point: np.ndarray | None = None,
    next_loss: float | None = None,
    left_domain: bool = False,
) -> Sentence:
    """What went wrong, where, and what to change.

    The run keeps frames up to ``kept_step`` and drops the step after it, so
    the message speaks of the step *to* ``kept_step + 1``; ``reason``
    completes that sentence. If the dropped point has finite coordinates
    (``next_point``), the message says where it would have gone and that the
    run stops at the last point it keeps; only a point that is itself not
    finite makes the kept one "the last finite point".
    The curvature is read at ``curvature_point``, the best point the run
    reached: that is the valley the learning rate failed to settle in, while
    the last point may already be far out where the numbers mean nothing.
    A run that ``left_domain`` (a typed formula has no value past an edge)
    is told so instead: the curvature says nothing about an edge.
    """
    kept = {"point": last_point, "loss": last_loss, "start": start_loss}
    head = sentence("diverged.head", step=kept_step, next=kept_step + 1, reason=reason)
    if next_point is None:
        where = sentence("diverged.stops", **kept)
    elif not np.isfinite(next_point).all():
        where = sentence("diverged.last_finite", **kept)
    elif next_loss is not None and np.isfinite(next_loss):
        where = sentence("diverged.would_have_gone", next_point=next_point, next_loss=next_loss, **kept)
    else:
        where = sentence("diverged.would_have_gone_no_loss", next_point=next_point, **kept)
    name = sentence(f"optimizer.{optimizer_id}.name")
    if left_domain:
        # The formula has no value past an edge (log, sqrt, a division): curvature says nothing about that.
        if lr is None:
            return sentences(head, where, sentence("diverged.edge", optimizer=name))
        return sentences(head, where, sentence("diverged.edge_lr", optimizer=name, lr=lr))
    if lr is None:
        return sentences(head, where)
    lambda_max = top_curvature(objective, curvature_point)
    limit = None if lambda_max is None else stability_limit(optimizer_id, hp, lambda_max)
    if limit is not None and lr > limit:
        advice = sentence("diverged.above_limit", lr=lr, limit=limit, optimizer=name, curvature=lambda_max)
    elif limit is not None:
        advice = sentence("diverged.below_limit", lr=lr, limit=limit)
    else:
        advice = sentence("diverged.grew", optimizer=name, lr=lr)
    return sentences(head, where, advice)

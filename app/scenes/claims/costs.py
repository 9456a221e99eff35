"""Claims about what a run pays for its steps: its learning rate step by step, and its budget of evaluations."""

from __future__ import annotations

import itertools

import numpy as np

from app.runs.evaluation_budget import spent
from app.scenes.claims.base import Played, Verdict, evaluations_of, losses_of, register


def _rates(run: object) -> np.ndarray:
    """The learning rate of every step taken (frame 0 has none)."""
    return np.array([f["lr"] for f in run.frames[1:]], dtype=float)


@register
def lr_constant(played: Played, run: int, lr: float) -> Verdict:
    """Every step used the same learning rate ``lr``."""
    rates = _rates(played.runs[run])
    holds = rates.size > 0 and bool(np.all(rates == lr))
    return Verdict(holds, f"run {run}: rates from {rates.min():.6g} to {rates.max():.6g} over {rates.size} steps")


@register
def lr_decays_by(played: Played, run: int, lr: float, gamma: float) -> Verdict:
    """Step t (from 1) used lr·gamma^(t−1): the rate shrinks by ``gamma`` every step (torch's ExponentialLR)."""
    rates = _rates(played.runs[run])
    expected = lr * gamma ** np.arange(rates.size)
    worst = float(np.abs(rates - expected).max() / lr) if rates.size else np.inf
    return Verdict(
        rates.size > 1 and worst <= 1e-12,
        f"run {run}: rates {rates[0]:.6g} … {rates[-1]:.6g}; largest relative gap from lr·γ^(t−1) {worst:.3g}",
    )


@register
def within_budget(played: Played, runs: list[int], budget: int) -> Verdict:
    """No frame of these runs reports more evaluations (f, ∇f and H together) than ``budget``."""
    worst = {i: max(spent(f["evaluations"]) for f in played.runs[i].frames) for i in runs}
    ended = {i: spent(evaluations_of(played.runs[i])) for i in runs}
    holds = all(v <= budget for v in worst.values()) and all(v <= budget for v in ended.values())
    return Verdict(holds, f"most evaluations reported: {worst}; spent at the end: {ended}; budget {budget}")


@register
def stopped_by_budget(played: Played, run: int, budget: int, before_overrun: bool = False) -> Verdict:
    """It ended because its budget was spent (or, with ``before_overrun``, because its next step would overrun it)."""
    r = played.runs[run]
    key = "run.budget_next_over" if before_overrun else "run.budget_spent"
    said = r.sentence["key"] if r.sentence else None
    holds = r.status == "max_steps" and said == key and r.config.budget == budget
    return Verdict(holds, f"run {run} ended {r.status} at step {r.step} saying {said}, spent {evaluations_of(r)}")


@register
def ranked_by_final_loss(played: Played, order: list[int]) -> Verdict:
    """Their final losses, lowest first, come in this order (the first is the winner)."""
    finals = {i: float(losses_of(played.runs[i])[-1]) for i in order}
    holds = all(finals[a] < finals[b] for a, b in itertools.pairwise(order))
    return Verdict(holds, f"final losses: {finals}")


@register
def takes_more_steps(played: Played, a: int, b: int) -> Verdict:
    """Run ``a`` ends after more steps than run ``b``: its steps are cheaper, so the same budget buys more."""
    ra, rb = played.runs[a], played.runs[b]
    return Verdict(ra.step > rb.step, f"run {a} took {ra.step} steps, run {b} {rb.step}")


@register
def loss_still_above(played: Played, run: int, fraction: float) -> Verdict:
    """Its final loss is still above ``fraction`` of its start loss: it has hardly come down."""
    losses = losses_of(played.runs[run])
    return Verdict(
        losses[-1] > fraction * losses[0], f"run {run}: loss {losses[0]:.6g} at the start, {losses[-1]:.6g} at the end"
    )

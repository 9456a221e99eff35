"""Claims about training runs: accuracy, gradients per layer, symmetry, batches, and the single neuron."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from app.nn.landscape import project_history
from app.nn.model import unflatten
from app.nn.neuron import neuron_picture
from app.scenes.claims.base import Played, Verdict, fmt, how_it_ended, losses_of, register


def _final(run: Any, field: str) -> float:
    return run.frames[-1][field]


@register
def accuracy_at_least(played: Played, run: int, value: float) -> Verdict:
    """At its last step it classifies at least this share of the training points right."""
    r = played.runs[run]
    return Verdict(
        _final(r, "accuracy") >= value, f"run {run} {how_it_ended(r)} with training accuracy {_final(r, 'accuracy')}"
    )


@register
def accuracy_at_most(played: Played, run: int, value: float) -> Verdict:
    r = played.runs[run]
    return Verdict(
        _final(r, "accuracy") <= value, f"run {run} {how_it_ended(r)} with training accuracy {_final(r, 'accuracy')}"
    )


@register
def learning_stops(played: Played, run: int) -> Verdict:
    """Training has come to rest: the gradient has all but vanished, so more steps change nothing."""
    r = played.runs[run]
    norm = _final(r, "grad_norm")
    return Verdict(norm is not None and norm < 1e-5, f"run {run} {how_it_ended(r)} with gradient norm {norm}")


@register
def loss_falls_to(played: Played, run: int, fraction: float) -> Verdict:
    """Its final loss is at most ``fraction`` of its starting loss."""
    losses = losses_of(played.runs[run])
    return Verdict(losses[-1] <= fraction * losses[0], f"run {run}: loss {losses[0]:.4g} -> {losses[-1]:.4g}")


@register
def every_weight_moves(played: Played, run: int, steps: int) -> Verdict:
    """Each of the first ``steps`` steps changes every weight and bias at once."""
    history = np.array(played.runs[run].history[: steps + 1])
    still = int(np.count_nonzero(np.diff(history, axis=0) == 0))
    return Verdict(len(history) == steps + 1 and still == 0, f"run {run}: {still} unchanged weights over {steps} steps")


def _layer_norms(run: Any, step: int = 0) -> list[float]:
    return [0.0 if v is None else v for v in run.frames[step]["layer_grad_norms"]]


@register
def first_layer_gradient_at_most(played: Played, run: int, share_of_last: float) -> Verdict:
    """At the start, the first layer's gradient is at most ``share_of_last`` of the last layer's."""
    norms = _layer_norms(played.runs[run])
    share = norms[0] / norms[-1]
    return Verdict(share <= share_of_last, f"run {run}: layer gradient norms {fmt(norms)}, first/last {share:.3g}")


@register
def first_layer_gradient_ratio(played: Played, a: int, b: int, at_least: float, at_most: float) -> Verdict:
    """At the start, run ``a``'s first-layer gradient is between ``at_least`` and ``at_most`` times run ``b``'s."""
    ratio = _layer_norms(played.runs[a])[0] / _layer_norms(played.runs[b])[0]
    return Verdict(at_least <= ratio <= at_most, f"first-layer gradient of run {a} / run {b} = {ratio:.4g}")


@register
def layer_moves_at_most(played: Played, run: int, layer: int, relative: float) -> Verdict:
    """Over the whole run, layer ``layer``'s weights change by at most ``relative`` of their size."""
    r = played.runs[run]
    before, after = unflatten(r.history[0], r.arch)[layer][0], unflatten(r.history[-1], r.arch)[layer][0]
    change = float(np.linalg.norm(after - before) / np.linalg.norm(before))
    return Verdict(change <= relative, f"run {run}: layer {layer}'s weights changed by {change:.3g} of their size")


@register
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


@register
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


@register
def loss_stays_near(played: Played, run: int, value: float, within: float) -> Verdict:
    losses = losses_of(played.runs[run])
    gap = float(np.abs(losses - value).max())
    return Verdict(gap <= within, f"run {run}: loss between {losses.min():.6g} and {losses.max():.6g}")


@register
def examples_per_update(played: Played, run: int, examples: int | str) -> Verdict:
    """Each update learns from this many examples ("all": the whole training set)."""
    r = played.runs[run]
    wanted = r.data.x_train.shape[0] if examples == "all" else examples
    seen = _final(r, "examples") / _final(r, "updates")
    return Verdict(seen == wanted, f"run {run}: {seen:g} examples per update")


@register
def path_mostly_in_plane(played: Played, run: int, share: float) -> Verdict:
    """The weights' path lies mostly in one plane: its top two principal directions hold ``share`` of its spread."""
    explained = sum(project_history(np.array(played.runs[run].history)).explained)
    return Verdict(explained >= share, f"run {run}: the top two directions hold {explained:.3f} of the spread")


@register
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

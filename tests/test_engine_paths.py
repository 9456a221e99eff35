"""The engine's fast first-order steps give exactly the runs its general step gives.

A first-order run steps on Python floats in 1D and 2D (``Run._advance_floats``) and on NumPy arrays in more
dimensions (``Run._advance_arrays``); either hands any step that is not ordinary to the general step
(``Run._one_step``: the oracle, every check, every ending). Forcing a run onto the general step alone gives
the reference: frames, status, sentence and evaluation counts must be the same, including runs that blow
up, runs with schedules, mid-run changes of hyperparameters and budgets.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.objectives import CATALOGUE, Objective
from app.runs.factory import build_config
from app.runs.run import Run, branch

OPTIMIZERS = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "rprop", "sign_gd"]


def _general(run: Run) -> Run:
    """The same run, made to take every step the general way."""
    run._on_floats = run._on_arrays = False
    run._needs_guard = True
    return run


def _same_runs(config, steps: int) -> tuple[Run, Run]:
    fast, slow = Run(config), _general(Run(config))
    fast.advance(steps)
    for _ in range(3):  # in pieces, as a live session advances it
        slow.advance(steps // 3 + 1)
    assert list(fast.frames) == list(slow.frames)
    assert fast.summary() == slow.summary()
    return fast, slow


@pytest.mark.parametrize("function", list(CATALOGUE))
@pytest.mark.parametrize("lr", [None, 3.0], ids=["default lr", "lr 3"])
def test_float_steps_match_the_general_step_on_every_function(function: str, lr: float | None) -> None:
    for optimizer in OPTIMIZERS:
        config = build_config(function, optimizer, None if lr is None else {"lr": lr}, max_steps=120)
        fast, _ = _same_runs(config, 120)
        assert fast._on_floats


def test_float_steps_match_with_schedules_changes_and_budgets() -> None:
    schedule = {"kind": "step", "step_size": 7, "gamma": 0.5}
    for optimizer in ("gd", "adam", "sign_gd"):
        _same_runs(build_config("rosenbrock", optimizer, {"lr": 1e-3}, schedule=schedule, max_steps=60), 60)
        _same_runs(build_config("himmelblau", optimizer, budget=25, max_steps=60), 60)
        run = Run(build_config("beale", optimizer, max_steps=80))
        run.advance(80)
        changed = branch(run, 30, {**run.config.hyperparameters, "lr": 0.5})
        _same_runs(changed.config, 80)


def _chained_rosenbrock(dim: int) -> Objective:
    def value(x: np.ndarray) -> np.ndarray:
        head, tail = x[..., :-1], x[..., 1:]
        return np.sum((1 - head) ** 2 + 100 * (tail - head * head) ** 2, axis=-1)

    def grad(x: np.ndarray) -> np.ndarray:
        head, tail = x[:-1], x[1:]
        bend = tail - head * head
        out = np.zeros_like(x)
        out[:-1] = -2 * (1 - head) - 400 * head * bend
        out[1:] += 200 * bend
        return out

    start = tuple([-1.5, 2.0] * (dim // 2) + [0.5] * (dim % 2))
    return Objective(
        id="rosenbrock_nd",
        name="Rosenbrock, chained",
        dim=dim,
        formula="",
        latex="",
        domain=((-2.0, 2.0),) * dim,
        start=start,
        minima=(),
        value=value,
        grad=grad,
        hessian=lambda x: np.eye(dim),
    )


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("lr", [1e-4, 0.05], ids=["small lr", "lr that blows up"])
def test_array_steps_match_the_general_step_in_more_dimensions(optimizer: str, lr: float) -> None:
    objective = _chained_rosenbrock(5)
    config = build_config("rosenbrock", optimizer, {"lr": lr}, max_steps=150)
    config = replace(config, objective=objective, start=objective.start, function_spec=None)
    fast, _ = _same_runs(config, 150)
    assert fast._on_arrays and fast.params.shape == (5,)

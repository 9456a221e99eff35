"""Turn what a caller asked for (ids and numbers) into a checked RunConfig.

Every misuse is caught here, at the edge, with a sentence that names the bad
value and says what would be accepted; the web layer only translates these
errors to HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.expressions.objective import expression_objective
from app.expressions.parser import ExpressionError
from app.objectives import CATALOGUE
from app.objectives.base import Objective
from app.optimizers.base import HyperparameterError, Optimizer, resolve_hyperparameters
from app.optimizers.catalogue import OPTIMIZERS
from app.optimizers.schedules import make_schedule
from app.runs.config import HyperparameterChange, RunConfig
from app.runs.evaluation_budget import MAX_BUDGET, MIN_BUDGET


class ConfigError(ValueError):
    """A run was asked for with something we cannot do; the message says what to change."""


def find_objective(function: Any) -> Objective:
    """Resolve a function id or ``{"expression": "..."}`` to an Objective."""
    if isinstance(function, Mapping) and "expression" in function:
        try:
            return expression_objective(str(function["expression"]))
        except ExpressionError as error:
            raise ConfigError(f"expression: {error}") from None
    if not isinstance(function, str) or function not in CATALOGUE:
        raise ConfigError(f"Unknown function {function!r}. Known functions: {', '.join(CATALOGUE)}.")
    return CATALOGUE[function]


def find_optimizer(optimizer_id: str) -> Optimizer:
    if optimizer_id not in OPTIMIZERS:
        raise ConfigError(f"Unknown optimizer {optimizer_id!r}. Known optimizers: {', '.join(OPTIMIZERS)}.")
    return OPTIMIZERS[optimizer_id]


def check_start(objective: Objective, start: list[float] | None) -> tuple[float, ...]:
    if start is None:
        return tuple(objective.start)
    if len(start) != objective.dim:
        raise ConfigError(
            f"start has {len(start)} number(s) but {objective.id} is a {objective.dim}D function: "
            f"give {objective.dim}, e.g. {list(objective.start)}."
        )
    if not all(np.isfinite(start)):
        raise ConfigError("start must be finite numbers.")
    if max(abs(v) for v in start) > 1e6:
        raise ConfigError("start coordinates must lie within ±1e6.")
    return tuple(float(v) for v in start)


def check_budget(budget: int | None) -> int | None:
    """An evaluation budget is a whole number from MIN_BUDGET to MAX_BUDGET, or None for no budget."""
    if budget is None:
        return None
    if isinstance(budget, bool) or not isinstance(budget, int) or not MIN_BUDGET <= budget <= MAX_BUDGET:
        raise ConfigError(
            f"budget must be a whole number of evaluations from {MIN_BUDGET} to {MAX_BUDGET:,}; got {budget!r}."
        )
    return budget


def check_changes(optimizer: Optimizer, changes: Sequence[Mapping[str, Any]]) -> tuple[HyperparameterChange, ...]:
    """Mid-run changes in step order, each with every hyperparameter resolved (as `describe` gives them back)."""
    out = []
    for change in sorted(changes, key=lambda c: c["at_step"]):
        try:
            hp = resolve_hyperparameters(optimizer, change["hyperparameters"])
        except HyperparameterError as error:
            raise ConfigError(f"changes at step {change['at_step']}: {error}") from None
        out.append(HyperparameterChange(int(change["at_step"]), hp))
    return tuple(out)


def build_config(
    function: Any,
    optimizer: str,
    hyperparameters: Mapping[str, float] | None = None,
    schedule: Mapping[str, Any] | None = None,
    start: list[float] | None = None,
    seed: int = 0,
    max_steps: int = 1_000,
    budget: int | None = None,
    changes: Sequence[Mapping[str, Any]] = (),
) -> RunConfig:
    """A RunConfig whose every field has been checked."""
    objective = find_objective(function)
    chosen = find_optimizer(optimizer)
    try:
        hp = resolve_hyperparameters(chosen, hyperparameters)
    except HyperparameterError as error:
        raise ConfigError(str(error)) from None
    schedule = dict(schedule or {})
    kind = schedule.pop("kind", "constant")
    if kind != "constant" and not chosen.uses_lr_schedule:
        raise ConfigError(f"{chosen.id} has no learning rate to schedule; use schedule kind 'constant'.")
    try:
        sched = make_schedule(kind, schedule)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    return RunConfig(
        objective=objective,
        optimizer=chosen,
        hyperparameters=hp,
        schedule=sched,
        start=check_start(objective, start),
        seed=seed,
        max_steps=max_steps,
        function_spec=function,
        budget=check_budget(budget),
        changes=check_changes(chosen, changes),
    )

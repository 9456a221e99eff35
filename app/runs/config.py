"""A run's configuration: everything needed to replay it exactly.

Hillside never stores a run's history as the truth; the config is the truth
and the history is a cache. Rewind, share-by-URL and branching all rebuild a
run by replaying its config, so the config must hold every choice that
changes the path: objective, optimizer, hyperparameters (and any changes
made mid-run), schedule, start, seed and limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.objectives.base import Objective
from app.optimizers.base import Optimizer
from app.optimizers.schedules import SCHEDULES, Schedule


@dataclass(frozen=True)
class HyperparameterChange:
    """From step ``at_step`` on, these hyperparameters are in force (a branch made mid-run)."""

    at_step: int
    hyperparameters: Mapping[str, float]


@dataclass(frozen=True)
class RunConfig:
    """Objective, optimizer and every number that shapes the path."""

    objective: Objective
    optimizer: Optimizer
    hyperparameters: Mapping[str, float]
    schedule: Schedule
    start: tuple[float, ...]
    seed: int = 0
    max_steps: int = 1_000
    gtol: float = 1e-6
    changes: tuple[HyperparameterChange, ...] = field(default_factory=tuple)
    function_spec: Any = None  # how the caller named the function: an id or {"expression": ...}
    budget: int | None = None  # evaluations (f + gradient + Hessian) the run may spend: a race fair by cost

    def start_array(self) -> np.ndarray:
        return np.array(self.start, dtype=float)

    def hyperparameters_at(self, step: int) -> Mapping[str, float]:
        """The hyperparameters in force for the update that leaves step ``step``."""
        current = self.hyperparameters
        for change in self.changes:
            if change.at_step <= step:
                current = change.hyperparameters
        return current

    def describe(self) -> dict[str, Any]:
        """The config as plain data, shaped like a run spec: POST /runs and a websocket `start` take it as it is.

        Every hyperparameter is at its resolved value, and the schedule names only its own kind's parameters
        (a spec with another kind's is refused).
        """
        return {
            "function": self.function_spec if self.function_spec is not None else self.objective.id,
            "optimizer": self.optimizer.id,
            "hyperparameters": dict(self.hyperparameters),
            "schedule": schedule_spec(self.schedule),
            "start": list(self.start),
            "seed": self.seed,
            "max_steps": self.max_steps,
            "changes": [{"at_step": c.at_step, "hyperparameters": dict(c.hyperparameters)} for c in self.changes],
            **({"budget": self.budget} if self.budget is not None else {}),
        }


def schedule_spec(schedule: Schedule) -> dict[str, Any]:
    """A schedule as a spec gives it: its kind and that kind's parameters, e.g. {"kind": "constant"}."""
    return {"kind": schedule.kind, **{p.name: getattr(schedule, p.name) for p in SCHEDULES[schedule.kind].parameters}}

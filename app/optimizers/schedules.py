"""Learning-rate schedules for the first-order methods, as torch.optim.lr_scheduler defines them.

A schedule is a pure function of the base learning rate and the index of the
update (0 for the first), so a run stays replayable from its config.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from app.optimizers.base import Hyperparameter, check_value


@dataclass(frozen=True)
class ScheduleInfo:
    """What the catalogue says about one kind of schedule."""

    description: str
    parameters: tuple[Hyperparameter, ...]


GAMMA_STEP = Hyperparameter("gamma", 0.5, 1e-3, 1.0, "Factor applied every step_size steps.")
STEP_SIZE = Hyperparameter("step_size", 100, 1, 100_000, "Steps between decays.", integer=True)
GAMMA_EXP = Hyperparameter("gamma", 0.99, 1e-3, 1.0, "Factor applied after every step.")
T_MAX = Hyperparameter(
    "t_max", 500, 1, 100_000, "Steps to anneal from lr down to eta_min (half the cosine's period).", integer=True
)
ETA_MIN = Hyperparameter("eta_min", 0.0, 0.0, 1e3, "The lowest learning rate, reached after t_max steps.")

SCHEDULES: dict[str, ScheduleInfo] = {
    "constant": ScheduleInfo("The same learning rate at every step.", ()),
    "step": ScheduleInfo("lr × gamma^floor(t / step_size), as torch's StepLR.", (GAMMA_STEP, STEP_SIZE)),
    "exponential": ScheduleInfo("lr × gamma^t, as torch's ExponentialLR.", (GAMMA_EXP,)),
    "cosine": ScheduleInfo(
        "eta_min + (lr − eta_min)(1 + cos(π t / t_max)) / 2 at every step, exactly torch's CosineAnnealingLR: "
        "down to eta_min at t_max, back up to lr at 2·t_max, and so on (period 2·t_max).",
        (T_MAX, ETA_MIN),
    ),
    "cosine_hold": ScheduleInfo(
        "The cosine down to eta_min in t_max steps, then held at eta_min (torch's CosineAnnealingLR until t_max; "
        "torch itself would rise again after it).",
        (T_MAX, ETA_MIN),
    ),
}


@dataclass(frozen=True)
class Schedule:
    """A checked schedule; ``lr_at`` gives the learning rate of update ``t`` (0-based)."""

    kind: str = "constant"
    gamma: float = 1.0
    step_size: int = 1
    t_max: int = 1
    eta_min: float = 0.0

    def lr_at(self, base_lr: float, t: int) -> float:
        if self.kind == "constant":
            return base_lr
        if self.kind == "step":
            return base_lr * self.gamma ** (t // self.step_size)
        if self.kind == "exponential":
            return base_lr * self.gamma**t
        if self.kind == "cosine_hold":
            t = min(t, self.t_max)  # a lecturer's variant: no rise after t_max, which can look like a bug on a plot
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.t_max)) / 2


def make_schedule(kind: str, params: Mapping[str, float] | None = None) -> Schedule:
    """A Schedule from a kind and its parameters, checked eagerly; the error names the bad value."""
    if kind not in SCHEDULES:
        raise ValueError(f"Unknown schedule {kind!r}; use one of {', '.join(SCHEDULES)}.")
    table = {p.name: p for p in SCHEDULES[kind].parameters}
    params = dict(params or {})
    unknown = sorted(set(params) - set(table))
    if unknown:
        allowed = ", ".join(table) or "no parameters"
        raise ValueError(f"The {kind} schedule takes {allowed}, not {', '.join(unknown)}.")
    values = {name: spec.default for name, spec in table.items()}
    for name, value in params.items():
        values[name] = check_value(table[name], value, f"the {kind} schedule")
    for name in ("step_size", "t_max"):
        if name in values:
            values[name] = int(values[name])
    return Schedule(kind=kind, **values)

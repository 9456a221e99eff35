"""Learning-rate schedules for the first-order methods, as torch.optim.lr_scheduler defines them.

A schedule is a pure function of the base learning rate and the index of the
update (0 for the first), so a run stays replayable from its config.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from app.optimizers.base import Hyperparameter


@dataclass(frozen=True)
class ScheduleInfo:
    """What the catalogue says about one kind of schedule."""

    description: str
    parameters: tuple[Hyperparameter, ...]


GAMMA_STEP = Hyperparameter("gamma", 0.5, 1e-3, 1.0, "Factor applied every step_size steps.")
STEP_SIZE = Hyperparameter("step_size", 100, 1, 100_000, "Steps between decays.", integer=True)
GAMMA_EXP = Hyperparameter("gamma", 0.99, 1e-3, 1.0, "Factor applied after every step.")
T_MAX = Hyperparameter("t_max", 500, 1, 100_000, "Steps to anneal from lr down to eta_min.", integer=True)
ETA_MIN = Hyperparameter("eta_min", 0.0, 0.0, 1e3, "The learning rate at the end of the cosine.")

SCHEDULES: dict[str, ScheduleInfo] = {
    "constant": ScheduleInfo("The same learning rate at every step.", ()),
    "step": ScheduleInfo("lr × gamma^floor(t / step_size), as torch's StepLR.", (GAMMA_STEP, STEP_SIZE)),
    "exponential": ScheduleInfo("lr × gamma^t, as torch's ExponentialLR.", (GAMMA_EXP,)),
    "cosine": ScheduleInfo(
        "eta_min + (lr − eta_min)(1 + cos(π t / t_max)) / 2, as torch's CosineAnnealingLR; held at eta_min after "
        "t_max steps.",
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
        # cosine, clamped at t_max rather than restarting: a restart would look like a bug on a loss plot
        t = min(t, self.t_max)
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
        spec = table[name]
        if not isinstance(value, int | float) or not math.isfinite(value) or not spec.minimum <= value <= spec.maximum:
            raise ValueError(f"{name} = {value!r} is outside its range [{spec.minimum:g}, {spec.maximum:g}].")
        if spec.integer and value != int(value):
            raise ValueError(f"{name} must be a whole number, got {value!r}.")
        values[name] = value
    for name in ("step_size", "t_max"):
        if name in values:
            values[name] = int(values[name])
    return Schedule(kind=kind, **values)

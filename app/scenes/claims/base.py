"""What every claim shares: the played runs it reads, the verdict it gives, the registry, and readers of frames."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

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


def register(function: ClaimFunction) -> ClaimFunction:
    CLAIMS[function.__name__] = function
    return function


def points_of(run: Any) -> np.ndarray:
    """Every frame's parameters, one row per step."""
    return np.array([frame["params"] for frame in run.frames], dtype=float)


def losses_of(run: Any) -> np.ndarray:
    return np.array([math.nan if f["loss"] is None else f["loss"] for f in run.frames], dtype=float)


def how_it_ended(run: Any) -> str:
    return f"ended {run.status} at step {run.step}"


def fmt(values: Any) -> str:
    return np.array2string(np.asarray(values, dtype=float), precision=6, separator=", ")


def first_step_at_or_below(run: Any, loss: float) -> int | None:
    below = np.nonzero(losses_of(run) <= loss)[0]
    return int(below[0]) if below.size else None


def sign_changes(values: np.ndarray) -> int:
    signs = np.sign(values)
    signs = signs[signs != 0]
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def evaluations_of(run: Any) -> dict[str, int]:
    return run.oracle.counts()


def hessian_at(objective: Objective, point: Sequence[float]) -> np.ndarray:
    return np.atleast_2d(np.asarray(objective.hessian(np.asarray(point, dtype=float)), dtype=float))


def value_at(objective: Objective, point: Sequence[float] | np.ndarray) -> float:
    return float(objective.value(np.asarray(point, dtype=float)))

"""A stand-in optimizer for endings no real method reaches on cue (standing still, overflowing, a verdict)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.optimizers.base import Hyperparameter, Oracle, Step

StepFn = Callable[[Oracle, np.ndarray, int, float], Step]


@dataclass(frozen=True)
class FakeOptimizer:
    """The optimizer interface around one function ``take(oracle, params, state, lr)``; its state counts steps."""

    id: str
    take: StepFn
    family: str = "first_order"
    hyperparameters: tuple[Hyperparameter, ...] = ()
    uses_lr_schedule: bool = False
    description: str = ""

    @property
    def name(self) -> str:
        return self.id

    def init(self, params: np.ndarray, oracle: Oracle, hp: Mapping[str, float]) -> int:
        return 0

    def step(self, oracle: Oracle, params: np.ndarray, state: Any, hp: Mapping[str, float], lr: float) -> Step:
        return self.take(oracle, params, state, lr)

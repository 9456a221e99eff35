"""An oracle that answers an optimizer's questions about the objective and counts them.

Races must be fair by budget, not only by steps: a Nelder–Mead iteration may
cost two function values, a BFGS iteration a dozen in its line search. The
oracle counts what the optimizer asks for; the engine's own look-ups for
drawing (``peek``) are free and fill a one-point cache, so the usual
"frame, then step from it" pattern computes the gradient only once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class CountingOracle:
    """Wraps value/grad/Hessian callables of one point; counts optimizer calls."""

    __slots__ = ("_cached_grad", "_cached_value", "_grad", "_hessian", "_key", "_value", "dim", "nfev", "ngev", "nhev")

    def __init__(
        self,
        dim: int,
        value: Callable[[np.ndarray], float],
        grad: Callable[[np.ndarray], np.ndarray],
        hessian: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.dim = dim
        self._value = value
        self._grad = grad
        self._hessian = hessian
        self.nfev = 0
        self.ngev = 0
        self.nhev = 0
        self._key: np.ndarray | None = None
        self._cached_value: float | None = None
        self._cached_grad: np.ndarray | None = None

    def _remember(self, x: np.ndarray) -> None:
        if x is not self._key:
            self._key = x
            self._cached_value = None
            self._cached_grad = None

    def _compute_value(self, x: np.ndarray) -> float:
        self._remember(x)
        if self._cached_value is None:
            self._cached_value = float(self._value(x))
        return self._cached_value

    def _compute_grad(self, x: np.ndarray) -> np.ndarray:
        self._remember(x)
        if self._cached_grad is None:
            self._cached_grad = np.asarray(self._grad(x), dtype=float)
        return self._cached_grad

    def value(self, x: np.ndarray) -> float:
        self.nfev += 1
        return self._compute_value(x)

    def grad(self, x: np.ndarray) -> np.ndarray:
        self.ngev += 1
        return self._compute_grad(x)

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        self.nfev += 1
        self.ngev += 1
        return self._compute_value(x), self._compute_grad(x)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        if self._hessian is None:
            raise NotImplementedError("this objective has no Hessian")
        self.nhev += 1
        return np.asarray(self._hessian(x), dtype=float)

    def peek(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Value and gradient for drawing a frame; not counted as the optimizer's."""
        return self._compute_value(x), self._compute_grad(x)

    def counts(self) -> dict[str, int]:
        return {"f": self.nfev, "grad": self.ngev, "hessian": self.nhev}

    def restore_counts(self, counts: dict[str, int]) -> None:
        self.nfev, self.ngev, self.nhev = counts["f"], counts["grad"], counts["hessian"]

"""The one small interface every optimizer shares.

An optimizer is data plus two pure functions, in the manner of optax:
``init(params, oracle, hp) -> state`` and
``step(oracle, params, state, hp, lr) -> Step``. The state is a small
NamedTuple the caller holds, so a run can be replayed, rewound and streamed
without hidden per-parameter dictionaries. Optimizers know nothing of the web.

Methods that only need a gradient are written as an even smaller pure
``update(grad, state, params, hp, lr) -> (delta, new_state, extras)`` and
wrapped by :class:`GradientOptimizer`. Methods that must probe the function
themselves (line searches, simplexes, patterns) talk to an :class:`Oracle`,
which counts every evaluation so races can be compared by budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np

Extras = dict[str, Any]
Value = float | bool  # a hyperparameter's value: a number, or true/false for a switch such as amsgrad
Hp = Mapping[str, Value]


class Oracle(Protocol):
    """What an optimizer may ask of the objective; every call is counted."""

    dim: int

    def value(self, x: np.ndarray) -> float: ...

    def grad(self, x: np.ndarray) -> np.ndarray: ...

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]: ...

    def hessian(self, x: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Hyperparameter:
    """One tunable number (with the range the API accepts) or, when ``boolean``, a switch."""

    name: str
    default: Value
    minimum: float
    maximum: float
    description: str
    log_scale: bool = False  # a slider for it should move in powers of ten
    integer: bool = False
    boolean: bool = False  # true/false (torch's amsgrad, centered); minimum and maximum do not apply

    @property
    def type(self) -> str:
        """The JSON type a value must have: "boolean", "integer" or "number"."""
        return "boolean" if self.boolean else "integer" if self.integer else "number"


def switch(name: str, description: str, default: bool = False) -> Hyperparameter:
    """A true/false hyperparameter, such as torch's ``amsgrad`` or ``centered``."""
    return Hyperparameter(name, default, 0.0, 1.0, description, boolean=True)


class Step(NamedTuple):
    """The outcome of one optimizer iteration (a NamedTuple: made on every step, so it must be cheap).

    ``extras`` holds what pages draw besides the point itself: the update
    vector, the velocity, the simplex, the pattern, line-search trial points.
    Values are floats, lists of floats, short strings or None.
    ``converged`` is a keyed sentence (:mod:`app.sentence`: a catalogue key and
    its numbers, no words) when the method's own published test passed (a
    simplex below tolerance, a pattern step below tolerance), else None.
    ``stalled`` is one when the method cannot go on although that test has not
    passed (a failed line search); ``params`` is then the point it stands on,
    and the run ends there without a new frame.
    """

    params: np.ndarray
    state: Any
    extras: Extras = {}  # noqa: RUF012 -- never mutated: readers copy before adding
    converged: dict[str, Any] | None = None  # a keyed sentence, {"key": ..., "args": {...}}
    stalled: dict[str, Any] | None = None


class Optimizer(Protocol):
    """Anything with an id, a hyperparameter table, ``init`` and ``step``."""

    id: str
    name: str
    family: str  # "first_order", "second_order", "quasi_newton", "conjugate", "direct_search"
    hyperparameters: tuple[Hyperparameter, ...]
    uses_lr_schedule: bool  # True when ``lr`` is one of its hyperparameters and schedules apply
    description: str

    def init(self, params: np.ndarray, oracle: Oracle, hp: Hp) -> Any: ...

    def step(
        self,
        oracle: Oracle,
        params: np.ndarray,
        state: Any,
        hp: Hp,
        lr: float,
    ) -> Step: ...


UpdateFn = Callable[[np.ndarray, Any, np.ndarray, Hp, float], tuple[np.ndarray, Any, Extras]]
FloatUpdateFn = Callable[[list[float], Any, list[float], Hp, float], tuple[list[float], Any, Extras]]
InitFn = Callable[[np.ndarray, Hp], Any]
FLOAT_DIMENSIONS = 2  # up to this many parameters, Python floats beat NumPy's per-call cost


def _as_floats(state: Any) -> Any:
    """A NamedTuple state with each array replaced by a list of its floats (the float rules' state)."""
    return type(state)(*(v.tolist() if isinstance(v, np.ndarray) else v for v in state))


@dataclass(frozen=True)
class GradientOptimizer:
    """A first-order method given as a pure ``update`` on the gradient.

    ``step`` asks the oracle for one gradient, applies ``update`` and reports
    the gradient-based extras (the update vector is always included).
    ``update_floats`` is the same rule on lists of Python floats, operation for
    operation (app/optimizers/first_order_floats.py): problems of at most
    ``FLOAT_DIMENSIONS`` parameters take it, for a tenth of NumPy's per-call cost,
    with the same bits; its state holds lists where ``update``'s holds arrays.
    """

    id: str
    name: str
    hyperparameters: tuple[Hyperparameter, ...]
    init_state: InitFn
    update: UpdateFn
    description: str = ""
    family: str = "first_order"
    uses_lr_schedule: bool = True
    update_floats: FloatUpdateFn | None = None

    def takes_floats(self, params: np.ndarray) -> bool:
        return self.update_floats is not None and params.shape[0] <= FLOAT_DIMENSIONS

    def init(self, params: np.ndarray, oracle: Oracle, hp: Hp) -> Any:
        state = self.init_state(params, hp)
        return _as_floats(state) if self.takes_floats(params) else state

    def step(
        self,
        oracle: Oracle,
        params: np.ndarray,
        state: Any,
        hp: Hp,
        lr: float,
    ) -> Step:
        grad = oracle.grad(params)
        if self.update_floats is not None and params.shape[0] <= FLOAT_DIMENSIONS:
            point = params.tolist()
            delta, new_state, extras = self.update_floats(grad.tolist(), state, point, hp, lr)
            moved = np.array([p + d for p, d in zip(point, delta, strict=True)])
        else:
            delta, new_state, extras = self.update(grad, state, params, hp, lr)
            moved = params + delta
        extras = {"update": delta, **extras} if extras else {"update": delta}
        return Step(params=moved, state=new_state, extras=extras)


def defaults(optimizer: Optimizer) -> dict[str, Value]:
    """The optimizer's hyperparameters at their defaults."""
    return {h.name: h.default for h in optimizer.hyperparameters}


class HyperparameterError(ValueError):
    """A hyperparameter is unknown, of the wrong type or out of its range; the message names it."""


def _shown(raw: object) -> str:
    """A value as the caller wrote it in JSON (true, "0.1", null), short enough for a sentence."""
    try:
        text = json.dumps(raw, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def check_value(spec: Hyperparameter, raw: object, owner: str) -> Value:
    """One value checked strictly against its spec: true/false for a switch, a number (never a boolean) else."""
    if spec.boolean:
        if not isinstance(raw, bool | np.bool_):
            raise HyperparameterError(f"{spec.name} is a switch: give true or false, not {_shown(raw)}")
        return bool(raw)
    if isinstance(raw, bool | np.bool_) or not isinstance(raw, int | float | np.integer | np.floating):
        raise HyperparameterError(f"{spec.name} must be a number, not {_shown(raw)}")
    try:
        value = float(raw)
    except OverflowError:  # an integer with hundreds of digits
        value = float("inf")
    if not np.isfinite(value) or not spec.minimum <= value <= spec.maximum:
        raise HyperparameterError(
            f"{spec.name} = {_shown(raw)} is outside its range [{spec.minimum:g}, {spec.maximum:g}] for {owner}"
        )
    if spec.integer and value != int(value):
        raise HyperparameterError(f"{spec.name} must be a whole number, not {_shown(raw)}")
    return value


def resolve_hyperparameters(optimizer: Optimizer, given: Mapping[str, object] | None) -> dict[str, Value]:
    """Fill defaults and validate eagerly and strictly, naming any bad value."""
    table = {h.name: h for h in optimizer.hyperparameters}
    given = dict(given or {})
    unknown = sorted(set(given) - set(table))
    if unknown:
        raise HyperparameterError(
            f"{optimizer.id} has no hyperparameter {', '.join(map(repr, unknown))}; "
            f"it takes {', '.join(table) or 'none'}"
        )
    resolved = defaults(optimizer)
    for name, raw in given.items():
        resolved[name] = check_value(table[name], raw, optimizer.id)
    return resolved

"""The class race: a question on a base run, the answers that each change it, and the stable step size.

Pure functions and small records: no sockets, no Redis. Every answer becomes a run spec checked exactly as a
``start`` checks its runs (the API's own validation), so an answer that would not race is refused when it
is given, with the API's sentence, not when the lecturer starts the race.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from app.api.errors import describe_pydantic_error
from app.api.network_schemas import NetworkRunSpec
from app.api.runs import config_from
from app.live.session import LiveRunSpec
from app.nn.run import NetworkConfigError, check_config
from app.optimizers.catalogue import OPTIMIZERS
from app.runs.factory import ConfigError

KINDS = ("lr", "start", "optimizer")
NETWORK_KINDS = ("lr", "optimizer")  # a network has no start point to choose
# Answers a network question takes: each runner trains a network and sends its decision boundary with every
# tick (about 50 KB), so 64 of them would take seconds a step on this machine; 16 keep a race playable.
NETWORK_ANSWERS = 16
LR_MAX = 100.0
RACE_MAX_STEPS = 1_000


class RoomError(ValueError):
    """Something a room refuses; ``key`` and ``values`` say it in the page's language (message catalogue)."""

    def __init__(self, key: str, message: str, **values: Any) -> None:
        super().__init__(message)
        self.key = key
        self.values = values

    def message(self) -> dict[str, Any]:
        return {"type": "error", "key": self.key, "values": self.values, "message": str(self)}


def _spec(run: dict[str, Any]) -> tuple[Any, Any]:
    """The run spec and its config (a function's or a network's), or RoomError with the API's own sentence."""
    try:
        if "network" in run:
            network = NetworkRunSpec.model_validate(run)
            return network, check_config(network.config(RACE_MAX_STEPS))
        spec = LiveRunSpec.model_validate(run)
        return spec, config_from(spec, max_steps=RACE_MAX_STEPS)
    except ValidationError as error:
        why = describe_pydantic_error(error)
    except (ConfigError, NetworkConfigError) as error:
        why = str(error)
    raise RoomError("room.error.answer_invalid", f"That cannot race: {why}", why=why)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def lambda_max(config: Any) -> dict[str, Any] | None:
    """The largest Hessian eigenvalue at the run's start, else at the nearest known minimum; None if neither > 0.

    Plain gradient descent with a constant step is stable near a point only for lr < 2 / lambda_max there.
    """
    objective = config.objective
    start = np.array(config.start, dtype=float)
    candidates = [("start", start)]
    minima = sorted(objective.minima, key=lambda m: float(np.linalg.norm(np.array(m.point) - start)))
    candidates += [("minimum", np.array(m.point, dtype=float)) for m in minima[:1]]
    for where, point in candidates:
        with np.errstate(all="ignore"):
            hessian = np.asarray(objective.hessian(point), dtype=float).reshape(objective.dim, objective.dim)
        if not np.all(np.isfinite(hessian)):
            continue
        value = float(np.linalg.eigvalsh((hessian + hessian.T) / 2).max())
        if value > 0 and math.isfinite(2 / value):
            return {"value": value, "at": [float(v) for v in point], "where": where, "stable_lr": 2 / value}
    return None


@dataclass
class Question:
    """An open (or closed) question: its base run, what an answer may change, and within which bounds."""

    kind: str
    run: dict[str, Any]
    limits: dict[str, Any]
    dim: int
    lambda_max: dict[str, Any] | None
    id: str = field(default_factory=lambda: secrets.token_hex(6))
    open: bool = True

    def most_answers(self, room_limit: int) -> int:
        """How many answers (runners besides the base run) this question takes in a room that takes ``room_limit``."""
        return min(room_limit, NETWORK_ANSWERS) if "network" in self.run else room_limit

    def message(self) -> dict[str, Any]:
        return {
            "type": "question",
            "id": self.id,
            "kind": self.kind,
            "run": self.run,
            "limits": self.limits,
            "open": self.open,
            "lambda_max": self.lambda_max,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Question:
        """A question as relayed (a follower's process rebuilds it from the room's stream)."""
        run = message["run"]
        dim = len(run.get("start") or []) or 1
        return cls(
            message["kind"],
            run,
            message["limits"],
            dim,
            message.get("lambda_max"),
            message["id"],
            bool(message.get("open")),
        )


def open_question(message: dict[str, Any]) -> Question:
    """Check a lecturer's ``question`` message; the base run must itself be able to race."""
    kind = message.get("kind")
    if kind not in KINDS:
        raise RoomError(
            "room.error.question_kind", f"kind must be one of {', '.join(KINDS)}; got {kind!r}.", kind=str(kind)
        )
    run = message.get("run")
    if not isinstance(run, dict):
        raise RoomError(
            "room.error.question_run", "run must be a run spec that can race, as in start: on a function or a network."
        )
    network = "network" in run
    if network and kind not in NETWORK_KINDS:
        raise RoomError(
            "room.error.question_network_kind",
            f"A question on a network asks for one of {', '.join(NETWORK_KINDS)}; got {kind!r}.",
            kind=str(kind),
        )
    spec, config = _spec(run)
    base = spec.model_dump(exclude_none=True, exclude_defaults=False)
    base.pop("changes", None)
    optimizer = OPTIMIZERS[config.optimizer] if network else config.optimizer
    if not network:
        base["start"] = list(config.start)
    limits = _limits(kind, message.get("limits") or {}, config)
    if kind == "lr" and "lr" not in {h.name for h in optimizer.hyperparameters}:
        raise RoomError(
            "room.error.question_no_lr", f"{optimizer.id} has no learning rate to choose.", optimizer=optimizer.id
        )
    if network:  # the loss has no Hessian here to speak of: no stable step size line
        return Question(kind, base, limits, 0, None)
    return Question(kind, base, limits, config.objective.dim, lambda_max(config))


def _limits(kind: str, given: Any, config: Any) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise RoomError("room.error.question_limits", 'limits must be an object, such as {"min": 0.001, "max": 1}.')
    if kind == "lr":
        lo, hi = _number(given.get("min", 0.0)), _number(given.get("max", LR_MAX))
        if lo is None or hi is None or not 0 <= lo < hi:
            raise RoomError("room.error.question_limits", "limits min and max must be numbers with 0 <= min < max.")
        return {"min": lo, "max": hi}
    if kind == "start":
        out = {}
        for axis, (lo_default, hi_default) in zip("xy", config.objective.domain, strict=False):
            pair = given.get(axis, [lo_default, hi_default])
            lo, hi = (_number(pair[0]), _number(pair[1])) if isinstance(pair, list) and len(pair) == 2 else (None, None)
            if lo is None or hi is None or not lo < hi:
                raise RoomError("room.error.question_limits", f"limits {axis} must be [low, high] with low < high.")
            out[axis] = [lo, hi]
        return out
    allowed = given.get("optimizers")
    if allowed is None:
        return {}
    if not isinstance(allowed, list) or not all(isinstance(name, str) for name in allowed) or len(allowed) > 64:
        raise RoomError("room.error.question_limits", "limits optimizers must be a list of optimizer ids.")
    return {"optimizers": allowed}


def answer_run(question: Question, value: Any) -> dict[str, Any]:
    """The base run changed by one answer, checked as a run spec; RoomError says what is wrong with it."""
    run = dict(question.run)
    if question.kind == "lr":
        lr = _number(value)
        lo, hi = question.limits["min"], question.limits["max"]
        if lr is None or not lo < lr <= hi:
            raise RoomError(
                "room.error.answer_lr", f"Choose a learning rate above {lo:g} and at most {hi:g}.", min=lo, max=hi
            )
        run["hyperparameters"] = {**run.get("hyperparameters", {}), "lr": lr}
    elif question.kind == "start":
        point = [_number(v) for v in value] if isinstance(value, list) else []
        if len(point) != question.dim or any(v is None for v in point):
            raise RoomError(
                "room.error.answer_start", f"Choose a point with {question.dim} coordinates.", dim=question.dim
            )
        for v, axis in zip(point, "xy", strict=False):
            lo, hi = question.limits[axis]
            if not lo <= v <= hi:
                raise RoomError(
                    "room.error.answer_outside", f"{axis} must be between {lo:g} and {hi:g}.", axis=axis, min=lo, max=hi
                )
        run["start"] = point
    else:
        if not isinstance(value, dict) or not isinstance(value.get("optimizer"), str):
            raise RoomError(
                "room.error.answer_optimizer", 'Choose an optimizer: {"optimizer": "adam", "hyperparameters": {}}.'
            )
        allowed = question.limits.get("optimizers")
        if allowed is not None and value["optimizer"] not in allowed:
            raise RoomError(
                "room.error.answer_not_offered", f"Choose one of {', '.join(allowed)}.", choices=", ".join(allowed)
            )
        hyperparameters = value.get("hyperparameters", {})
        if not isinstance(hyperparameters, dict):
            raise RoomError("room.error.answer_optimizer", 'hyperparameters must be an object such as {"lr": 0.05}.')
        run["optimizer"], run["hyperparameters"] = value["optimizer"], hyperparameters
        if value["optimizer"] != question.run.get("optimizer"):
            run.pop("schedule", None)  # a schedule belongs to the base's optimizer
    _spec(run)
    return run


def labels(answers: list[dict[str, Any]]) -> list[str]:
    """Each answer's label: the display name given, else ``#n`` (n counting from 1 in arrival order)."""
    return [answer.get("name") or f"#{i + 1}" for i, answer in enumerate(answers)]


def race_start(question: Question, answers: list[dict[str, Any]], limit: int, max_steps: int) -> dict[str, Any]:
    """The ``start`` that races the base run (index 0) and one runner per answer, in arrival order."""
    runs = [question.run, *(answer["run"] for answer in answers[:limit])]
    return {"type": "start", "batch": True, "max_steps": max_steps, "runs": runs}

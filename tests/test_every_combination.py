"""Every optimizer on every built-in function, at learning rates from 1e-6 to 1e6: always a sensible answer.

The answer must be valid JSON (JSON has no NaN or Infinity, so the raw text is parsed with a parser
that refuses them), end with a known status, and a diverged run must say why.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.objectives import CATALOGUE
from app.optimizers.catalogue import OPTIMIZERS

LEARNING_RATES = [1e-6, 1e-3, 1.0, 1e3, 1e6]
STATUSES = {"converged", "diverged", "max_steps"}


def strict_json(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in a JSON answer")

    return json.loads(text, parse_constant=refuse)


def test_learning_rates_outside_a_range_are_refused_with_the_range(client: TestClient) -> None:
    for optimizer in OPTIMIZERS.values():
        lr_spec = next((h for h in optimizer.hyperparameters if h.name == "lr"), None)
        if lr_spec is None:
            continue
        for lr in LEARNING_RATES:
            if lr_spec.minimum <= lr <= lr_spec.maximum:
                continue
            body = {"function": "rosenbrock", "optimizer": optimizer.id, "hyperparameters": {"lr": lr}, "steps": 3}
            answer = client.post("/api/v1/optimize", json=body)
            assert answer.status_code == 422, (optimizer.id, lr)
            assert "outside its range" in answer.json()["detail"]


def cases() -> list[tuple[str, float | None]]:
    out: list[tuple[str, float | None]] = []
    for optimizer in OPTIMIZERS.values():
        lr_spec = next((h for h in optimizer.hyperparameters if h.name == "lr"), None)
        if lr_spec is None:
            out.append((optimizer.id, None))
            continue
        out += [(optimizer.id, lr) for lr in LEARNING_RATES if lr_spec.minimum <= lr <= lr_spec.maximum]
    return out


@pytest.mark.parametrize(("optimizer", "lr"), cases(), ids=lambda v: str(v))
def test_every_function_gets_a_clean_answer(client: TestClient, optimizer: str, lr: float | None) -> None:
    for function in CATALOGUE:
        body = {"function": function, "optimizer": optimizer, "steps": 30}
        if lr is not None:
            body["hyperparameters"] = {"lr": lr}
        answer = client.post("/api/v1/optimize", json=body)
        assert answer.status_code == 200, (function, answer.text[:200])
        result = strict_json(answer.text)
        assert result["status"] in STATUSES, function
        assert result["frames"][0]["step"] == 0 and len(result["frames"]) <= 31
        last = result["frames"][-1]
        assert all(v is not None for v in last["params"]), function  # the last point kept is finite
        if result["status"] == "diverged":
            assert len(result["message"]) > 20, function

"""What the server says a run is can be sent back to it as it is, and rebuilds the same run.

`GET /runs/{id}`'s `config` and the websocket `started` message's `runs[i]` describe each run with every
hyperparameter at its resolved value (adam's `amsgrad: false` included), its schedule, its step limit, its
mid-run changes and its budget. A programmer who stores that and posts it again (`POST /api/v1/runs`, a
websocket `start`, `POST /api/v1/network/runs`) must get the very same run back: the same description and
the same frames, never a 422 about a field the server itself wrote.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.optimizers.base import GradientOptimizer
from app.optimizers.catalogue import OPTIMIZERS

FUNCTION = {"function": "rosenbrock", "start": [-1.5, 2.0]}
SCHEDULE = {"kind": "step", "gamma": 0.5, "step_size": 4}
XOR = {"network": {"dataset": "xor", "hidden": [3], "points": 40}, "optimizer": "adam"}
STEPS = 12
ADAM = list(OPTIMIZERS).index("adam")


def receive_until(ws: Any, wanted: str, limit: int = 500) -> dict:
    for _ in range(limit):
        message = ws.receive_json()
        assert message["type"] != "error", message["message"]
        if message["type"] == wanted:
            return message
    raise AssertionError(f"no {wanted} message")


def frames_of(ws: Any, steps: int) -> list[dict]:
    """Step the race and return every frame up to ``steps`` (what the page would draw)."""
    ws.send_json({"type": "step", "n": steps})
    frames: list[dict] = []
    while not any(f["step"] >= steps for f in frames):
        message = ws.receive_json()
        assert message["type"] != "error", message["message"]
        if message["type"] == "frames":
            frames += message["frames"]
        elif message["type"] == "frame":
            frames.append(message)
        if message["type"] == "status" and message["status"] != "running":
            break
    return [{k: f.get(k) for k in ("run", "step", "params", "loss", "grad_norm")} for f in frames]


def spec_for(optimizer: str) -> dict:
    """A run of ``optimizer`` that says as much as it can: a schedule where it has a learning rate, a budget."""
    spec = {**FUNCTION, "optimizer": optimizer, "budget": 400, "seed": 3}
    if OPTIMIZERS[optimizer].uses_lr_schedule:
        spec["schedule"] = SCHEDULE
    return spec


def rest_frames(client: TestClient, body: dict) -> tuple[dict, list]:
    created = client.post("/api/v1/runs", json=body)
    assert created.status_code == 201, created.text
    run_id = created.json()["id"]
    stepped = client.post(f"/api/v1/runs/{run_id}/step", json={"n": STEPS}).json()
    config = client.get(f"/api/v1/runs/{run_id}").json()["config"]
    return config, [(f["step"], f["params"], f["loss"]) for f in stepped["frames"]]


# ----- networks -------------------------------------------------------------------------------------------------

FIRST_ORDER = [key for key, optimizer in OPTIMIZERS.items() if isinstance(optimizer, GradientOptimizer)]


@pytest.mark.parametrize("optimizer", FIRST_ORDER)
def test_a_started_network_starts_again_as_it_is(client: TestClient, optimizer: str) -> None:
    """adam's resolved amsgrad: false (and rmsprop's centered) come back in `started` and are taken again."""
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [{**XOR, "optimizer": optimizer}], "max_steps": 50})
        started = receive_until(ws, "started")
        frames = frames_of(ws, 5)
        ws.send_json({"type": "start", "runs": started["runs"]})
        again = receive_until(ws, "started")
        assert again["runs"] == started["runs"] and again["runs"][0]["max_steps"] == 50
        assert frames_of(ws, 5) == frames

    created = client.post("/api/v1/network/runs", json=started["runs"][0])
    assert created.status_code == 201, created.text
    assert created.json()["config"] == started["runs"][0]


def test_a_network_switch_is_a_switch(client: TestClient) -> None:
    """amsgrad takes true/false and nothing else over REST and the websocket, as it does for functions."""
    body = {**XOR, "hyperparameters": {"amsgrad": True}}
    created = client.post("/api/v1/network/runs", json=body)
    assert created.status_code == 201 and created.json()["config"]["hyperparameters"]["amsgrad"] is True
    wrong = client.post("/api/v1/network/runs", json={**XOR, "hyperparameters": {"amsgrad": 1}})
    assert wrong.status_code == 422 and "amsgrad" in wrong.json()["detail"]
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [{**XOR, "hyperparameters": {"lr": True}}]})
        error = ws.receive_json()
        assert error["type"] == "error" and "lr" in error["message"]

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


def receive_until(ws: Any, wanted: str, limit: int = 500) -> dict:
    for _ in range(limit):
        message = ws.receive_json()
        assert message["type"] != "error", message["message"]
        if message["type"] == wanted:
            return message
    raise AssertionError(f"no {wanted} message")


def frames_of(ws: Any, steps: int) -> list[dict]:
    """Step the race ``steps`` on; every frame received until then (a pause's answer marks the end)."""
    ws.send_json({"type": "step", "n": steps})
    ws.send_json({"type": "pause"})
    frames: list[dict] = []
    while (message := ws.receive_json())["type"] != "playback":
        assert message["type"] != "error", message["message"]
        frames += message["frames"] if message["type"] == "frames" else [message] if message["type"] == "frame" else []
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


# ----- functions: REST ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_a_kept_runs_config_posts_back_as_the_same_run(client: TestClient, optimizer: str) -> None:
    config, frames = rest_frames(client, {**spec_for(optimizer), "max_steps": 40})
    again, frames_again = rest_frames(client, config)
    assert again == config
    assert frames_again == frames
    if OPTIMIZERS[optimizer].uses_lr_schedule:
        assert config["schedule"] == SCHEDULE  # its own parameters, not every kind's
    assert config["budget"] == 400 and config["max_steps"] == 40


# ----- functions: the websocket ---------------------------------------------------------------------------------


RACES = [list(OPTIMIZERS)[:7], list(OPTIMIZERS)[7:]]  # every optimizer, a race holding at most 8


@pytest.mark.parametrize("optimizers", RACES)
def test_every_started_run_starts_again_as_it_is_with_its_changes(client: TestClient, optimizers: list) -> None:
    """Races of every optimizer, with a schedule, a budget, a step limit and a mid-run change, sent back as is."""
    changed = optimizers.index("adam") if "adam" in optimizers else 0
    change = {"lr": 0.02, "amsgrad": True} if "adam" in optimizers else {"lr": 0.02}
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [spec_for(o) for o in optimizers], "max_steps": 30, "batch": True})
        receive_until(ws, "started")
        ws.send_json({"type": "step", "n": 3})
        receive_until(ws, "frames")
        ws.send_json({"type": "update", "run": changed, "hyperparameters": change})
        started = receive_until(ws, "started")
        assert started["runs"][changed]["changes"][0]["at_step"] == 3
        frames = [f for f in frames_of(ws, STEPS) if f["step"] > 3]  # steps 4 to 15: after the change

        # Sent back exactly as the server described them (and no max_steps beside: each run says its own).
        ws.send_json({"type": "start", "runs": started["runs"], "batch": True})
        again = receive_until(ws, "started")
        assert again["runs"] == started["runs"]
        assert [f for f in frames_of(ws, 3 + STEPS) if f["step"] > 3] == frames


def test_a_started_run_with_changes_posts_to_runs_as_the_same_run(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [spec_for("adam")], "max_steps": 30})
        receive_until(ws, "started")
        ws.send_json({"type": "step", "n": 4})
        receive_until(ws, "frame")
        ws.send_json({"type": "update", "run": 0, "hyperparameters": {"lr": 0.2}})
        started = receive_until(ws, "started")
        live = {f["step"]: (f["step"], f["params"], f["loss"]) for f in frames_of(ws, STEPS)}  # steps 4 to 16
    config, frames = rest_frames(client, started["runs"][0])
    assert config == started["runs"][0]
    assert config["changes"] == [{"at_step": 4, "hyperparameters": {**config["hyperparameters"], "lr": 0.2}}]
    assert frames[4:] == [live[step] for step in range(5, STEPS + 1)]  # the REST run's steps 5 to 12


def test_a_bad_change_in_a_posted_run_is_refused_with_its_name(client: TestClient) -> None:
    body = {**spec_for("adam"), "changes": [{"at_step": 2, "hyperparameters": {"amsgrad": 1}}]}
    answer = client.post("/api/v1/runs", json=body)
    assert answer.status_code == 422 and "amsgrad" in answer.json()["detail"]
    too_long = client.post("/api/v1/runs", json={**spec_for("adam"), "max_steps": 10**9})
    assert too_long.status_code == 422 and "max_steps" in too_long.json()["detail"]


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

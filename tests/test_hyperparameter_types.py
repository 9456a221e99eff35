"""Switches are booleans and numbers are numbers, the same over REST and the websocket; labels people read.

A switch such as amsgrad takes true/false and nothing else; a number never takes true/false (JSON's true
is not 1 here). The catalogue says which is which, and gives each hyperparameter a label from the
message catalogue so that nobody has to know that "eta_minus" is the factor a step shrinks by.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

MESSAGES = json.loads((Path(__file__).resolve().parents[1] / "app" / "messages" / "en.json").read_text("utf-8"))
ADAM = {"function": "rosenbrock", "optimizer": "adam", "start": [-1.5, 2.0]}


def receive_until(ws, wanted: str, limit: int = 500) -> dict:
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == wanted:
            return message
    raise AssertionError(f"no {wanted} message")


# ----- the catalogue ------------------------------------------------------------------------------------------------


def test_catalogue_says_each_hyperparameters_type_and_default(client: TestClient) -> None:
    optimizers = {
        o["id"]: {h["name"]: h for h in o["hyperparameters"]} for o in client.get("/api/v1/optimizers").json()
    }
    switches = {(o, name) for o, table in optimizers.items() for name, h in table.items() if h["type"] == "boolean"}
    assert switches == {("adam", "amsgrad"), ("adamw", "amsgrad"), ("rmsprop", "centered")}
    for optimizer, name in switches:
        h = optimizers[optimizer][name]
        assert h["default"] is False and h["minimum"] is None and h["maximum"] is None
    for table in optimizers.values():
        for h in table.values():
            if h["type"] != "boolean":
                assert h["type"] in ("number", "integer") and not isinstance(h["default"], bool)
                assert h["minimum"] <= h["default"] <= h["maximum"]
    assert optimizers["cg"]["restart_every"]["type"] == "integer"


def test_every_hyperparameter_has_a_readable_label(client: TestClient) -> None:
    """Each label comes from the message catalogue (English here), differs from the raw name, and has a hint."""
    for o in client.get("/api/v1/optimizers").json():
        for h in o["hyperparameters"]:
            own = f"optimizer.{o['id']}.hp.{h['name']}"
            key = own if f"{own}.label" in MESSAGES else f"hp.{h['name']}"
            assert h["label"] == MESSAGES[f"{key}.label"], (o["id"], h["name"])
            assert h["label"] != h["name"]
            assert f"hp.{h['name']}.hint" in MESSAGES or f"{own}.hint" in MESSAGES
            assert f"hp.{h['name']}.short" in MESSAGES or f"{own}.short" in MESSAGES
    for schedule in client.get("/api/v1/schedules").json():
        for p in schedule["parameters"]:
            assert p["label"] == MESSAGES[f"hp.{p['name']}.label"] and p["type"] in ("number", "integer")
    adam = next(o for o in client.get("/api/v1/optimizers").json() if o["id"] == "adam")
    adam = {h["name"]: h["label"] for h in adam["hyperparameters"]}
    assert "β₁" in adam["beta1"] and "lr" in adam["lr"]


def test_sign_descent_does_not_call_its_first_step_a_learning_rate(client: TestClient) -> None:
    optimizers = {o["id"]: o for o in client.get("/api/v1/optimizers").json()}
    for optimizer_id in ("sign_gd", "rprop"):
        lr = next(h for h in optimizers[optimizer_id]["hyperparameters"] if h["name"] == "lr")
        assert "first step" in lr["label"].lower()


# ----- REST ---------------------------------------------------------------------------------------------------------


def test_a_switch_accepts_true_and_false_over_rest(client: TestClient) -> None:
    paths = {}
    for amsgrad in (True, False):
        body = {**ADAM, "hyperparameters": {"lr": 0.05, "amsgrad": amsgrad, "beta2": 0.9}, "steps": 60}
        answer = client.post("/api/v1/optimize", json=body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["config"]["hyperparameters"]["amsgrad"] is amsgrad
        paths[amsgrad] = [f["params"] for f in answer.json()["frames"]]
    assert paths[True] != paths[False]

    created = client.post("/api/v1/runs", json={**ADAM, "optimizer": "rmsprop", "hyperparameters": {"centered": True}})
    assert created.status_code in (200, 201), created.text
    run = client.get(f"/api/v1/runs/{created.json()['id']}").json()
    assert run["config"]["hyperparameters"]["centered"] is True


@pytest.mark.parametrize(
    ("hyperparameters", "fragments"),
    [
        ({"lr": True}, ["lr", "number", "true"]),
        ({"lr": False}, ["lr", "number", "false"]),
        ({"eps": True}, ["eps", "true"]),
        ({"amsgrad": 1}, ["amsgrad", "true or false", "1"]),
        ({"amsgrad": 0.0}, ["amsgrad", "true or false", "0.0"]),
        ({"amsgrad": "true"}, ["amsgrad", '"true"']),
        ({"lr": "0.1"}, ["lr", '"0.1"']),
        ({"lr": None}, ["lr", "null"]),
        ({"lr": 10**400}, ["lr", "outside its range"]),
    ],
)
def test_a_wrong_type_is_refused_over_rest_naming_the_value(
    client: TestClient, hyperparameters: dict, fragments: list[str]
) -> None:
    for path, extra in (("/api/v1/optimize", {"steps": 3}), ("/api/v1/runs", {})):
        answer = client.post(path, json={**ADAM, "hyperparameters": hyperparameters, **extra})
        assert answer.status_code == 422, (path, answer.text)
        for fragment in fragments:
            assert fragment in answer.json()["detail"], (path, fragment, answer.json()["detail"])


def test_schedule_numbers_refuse_booleans(client: TestClient) -> None:
    body = {**ADAM, "schedule": {"kind": "cosine", "t_max": True}, "steps": 3}
    assert client.post("/api/v1/optimize", json=body).status_code == 422


# ----- the websocket ------------------------------------------------------------------------------------------------


def test_a_switch_over_the_websocket_start_update_and_changes(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [{**ADAM, "hyperparameters": {"amsgrad": True}}]})
        started = receive_until(ws, "started")
        assert started["runs"][0]["hyperparameters"]["amsgrad"] is True
        ws.send_json({"type": "step", "n": 3})
        receive_until(ws, "frame")
        ws.send_json({"type": "update", "run": 0, "hyperparameters": {"amsgrad": False}})
        started = receive_until(ws, "started")
        assert started["runs"][0]["changes"][-1]["hyperparameters"]["amsgrad"] is False

        # Replaying what the server gave back (a change that switched amsgrad) is accepted as it is.
        ws.send_json({"type": "start", "runs": [{**ADAM, "changes": started["runs"][0]["changes"]}]})
        again = receive_until(ws, "started")
        assert again["runs"][0]["changes"] == started["runs"][0]["changes"]


@pytest.mark.parametrize(
    ("hyperparameters", "fragments"),
    [
        ({"lr": True}, ["lr", "true"]),
        ({"beta1": False}, ["beta1", "false"]),
        ({"amsgrad": 1}, ["amsgrad", "true or false"]),
        ({"amsgrad": "yes"}, ["amsgrad", '"yes"']),
        ({"lr": [0.1]}, ["lr", "number"]),
    ],
)
def test_a_wrong_type_is_refused_over_the_websocket(client: TestClient, hyperparameters: dict, fragments: list) -> None:
    """The same rule as REST: in start, in a start's changes, and in update (which once took "lr": true as 1)."""
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [{**ADAM, "hyperparameters": hyperparameters}]})
        error = receive_until(ws, "error")
        assert all(f in error["message"] for f in fragments), error["message"]

        change = [{"at_step": 2, "hyperparameters": hyperparameters}]
        ws.send_json({"type": "start", "runs": [{**ADAM, "changes": change}]})
        error = receive_until(ws, "error")
        assert all(f in error["message"] for f in fragments), error["message"]

        ws.send_json({"type": "start", "runs": [ADAM]})
        receive_until(ws, "started")
        ws.send_json({"type": "update", "run": 0, "hyperparameters": hyperparameters})
        error = receive_until(ws, "error")
        assert all(f in error["message"] for f in fragments), error["message"]
        ws.send_json({"type": "step"})  # the race is still there, unchanged
        frame = receive_until(ws, "frame")
        assert frame["step"] == 1

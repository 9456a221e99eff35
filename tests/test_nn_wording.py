"""A network run's end is a keyed sentence, as a function run's is: each key is in the catalogue with exactly the
placeholders its arguments fill, the English `message` is the catalogue's rendering, the arguments are strict JSON,
and the network REST answer and a websocket network race's status carry the key beside the English."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.i18n import load_messages
from app.nn.run import NetworkConfig, NetworkRun
from app.runs.wording import keys_used, render
from app.sentence import is_sentence
from tests.messages import next_status

ENGLISH = load_messages("en")
PLACEHOLDER = re.compile(r"\{(\w+)(?:\}|:[^{}]*\}|, plural,)")


def check_sentence(said: Any) -> None:
    """Each key (nested ones too) is in en.json, and its placeholders are exactly the arguments given."""
    assert is_sentence(said), said
    assert said["key"] in ENGLISH, said["key"]
    assert set(PLACEHOLDER.findall(ENGLISH[said["key"]])) == set(said["args"]), said
    for value in said["args"].values():
        if is_sentence(value):
            check_sentence(value)


def check_run(run: NetworkRun) -> dict[str, Any]:
    """The run's keyed end is complete, strict JSON, and renders to its English message; returns the sentence."""
    summary = run.summary()
    json.dumps(summary, allow_nan=False)
    said = {"key": summary["message_key"], "args": summary["message_args"]}
    check_sentence(said)
    assert render(said) == run.message != ""
    assert "{" not in run.message and "}" not in run.message, run.message
    return said


ZERO_SINE = {"dataset": "sine", "hidden": (3,), "loss": "squared_error", "activation": "sigmoid", "init": "zeros"}
ENDINGS = {
    # name: config, status, the keys its sentence must name, words the English must keep
    "an all-zero start stalls at chance": (
        NetworkConfig(
            dataset="sine", hidden=(4,), loss="squared_error", init="zeros", optimizer="gd", hyperparameters={"lr": 0.5}
        ),
        "stalled",
        {"net.run.stalled_identical_chance", "net.run.identical_units"},
        "(chance): every hidden unit computes the same thing",
    ),
    "identical units at chance run out of steps": (
        NetworkConfig(dataset="circles", hidden=(4,), activation="sigmoid", init="zeros", optimizer="gd", max_steps=5),
        "max_steps",
        {"net.run.max_steps_identical_chance", "net.run.identical_units"},
        "the most allowed for this run, at loss",
    ),
    "identical units below chance run out of steps": (
        NetworkConfig(**ZERO_SINE, optimizer="gd", hyperparameters={"lr": 0.5}, max_steps=300),
        "max_steps",
        {"net.run.max_steps_identical", "net.run.identical_units"},
        "so they stay identical",
    ),
    "a large start diverges": (
        NetworkConfig(
            dataset="blobs",
            hidden=(8,) * 6,
            activation="linear",
            init="large",
            optimizer="gd",
            hyperparameters={"lr": 0.1},
        ),
        "diverged",
        {"net.run.diverged", "net.run.diverged.start"},
        "The starting weights are too large",
    ),
    "a high learning rate diverges": (
        NetworkConfig(dataset="sine", loss="squared_error", optimizer="gd", hyperparameters={"lr": 100}),
        "diverged",
        {"net.run.diverged", "net.run.diverged.lr"},
        "The learning rate 100 is too large for these weights",
    ),
    "a tiny network converges": (
        NetworkConfig(dataset="sine", hidden=(), loss="squared_error", optimizer="gd", hyperparameters={"lr": 0.5}),
        "converged",
        {"net.run.converged"},
        "so learning has stopped",
    ),
    "a tiny network runs out of steps": (
        NetworkConfig(dataset="blobs", hidden=(2,), optimizer="adam", max_steps=20),
        "max_steps",
        {"net.run.max_steps"},
        "Stopped after 20 steps, the most allowed for this run; training loss",
    ),
}


@pytest.mark.parametrize("name", list(ENDINGS))
def test_every_network_ending_is_a_complete_keyed_sentence_that_renders_to_its_message(name: str) -> None:
    config, status, keys, words = ENDINGS[name]
    run = NetworkRun(config)
    assert run.summary()["message_key"] is None and run.summary()["message_args"] is None
    run.advance(config.max_steps)
    assert run.status == status, run.message
    said = check_run(run)
    assert keys_used(said) == keys
    assert words in run.message
    steps = said["args"].get("steps")
    if steps is not None:  # a count stays a number, and the English says it with its plural
        assert steps == run.step and f"after {steps} step" in run.message


def test_the_variants_no_quick_run_reaches_are_keyed_too() -> None:
    """A loss that is not a number, and identical units stopped below chance: the same methods, asked directly."""
    run = NetworkRun(NetworkConfig(**ZERO_SINE, optimizer="gd", hyperparameters={"lr": 0.5}, max_steps=300))
    run.advance(300)
    for said in (run._divergence_sentence(float("nan")), run._symmetry_sentence("net.run.stalled_identical")):
        check_sentence(said)
        json.dumps(said, allow_nan=False)
        text = render(said)
        assert "{" not in text and "}" not in text, text
    assert "the loss became not a number" in render(run._divergence_sentence(float("inf")))
    assert "(chance)" not in render(run._symmetry_sentence("net.run.stalled_identical"))


def test_every_net_run_key_in_the_catalogue_is_one_the_code_can_say() -> None:
    named = {key for key in ENGLISH if key.startswith("net.run.")}
    reached = set().union(*(keys for _, _, keys, _ in ENDINGS.values()))
    assert named == reached | {"net.run.diverged_not_a_number", "net.run.stalled_identical"}


def test_the_network_rest_answer_carries_the_key(client: TestClient) -> None:
    body = {
        "network": {"dataset": "sine", "loss": "squared_error"},
        "optimizer": "gd",
        "hyperparameters": {"lr": 100},
    }
    created = client.post("/api/v1/network/runs", json=body).json()
    assert created["status"] == "running" and created["message_key"] is None and created["message_args"] is None
    stepped = client.post(f"/api/v1/network/runs/{created['id']}/step", json={"n": 50}).json()
    fetched = client.get(f"/api/v1/network/runs/{created['id']}").json()
    for answer in (stepped, fetched):
        assert answer["status"] == "diverged" and answer["message_key"] == "net.run.diverged"
        assert answer["message_args"]["why"] == {"key": "net.run.diverged.lr", "args": {"lr": 100}}
        assert render({"key": answer["message_key"], "args": answer["message_args"]}) == answer["message"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"message_key", "message_args"} <= set(schema["NetworkRunPublic"]["properties"])


def test_a_websocket_network_race_status_carries_the_key(client: TestClient) -> None:
    runs = [{"network": {"dataset": "blobs", "hidden": [2]}, "optimizer": "adam"}]
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": runs, "max_steps": 5})
        ws.send_json({"type": "step", "n": 10})
        message = next_status(ws)
        assert message["status"] == "max_steps" and message["message_key"] == "net.run.max_steps"
        assert message["message_args"]["steps"] == 5
        assert render({"key": message["message_key"], "args": message["message_args"]}) == message["message"]
        ws.send_json({"type": "reset"})
        message = next_status(ws)
        assert message["status"] == "running" and message["message_key"] is None

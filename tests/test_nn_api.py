"""Network runs over REST and websocket, the loss landscape after Li et al., and the single sigmoid neuron."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.nn.backprop import total_loss
from app.nn.landscape import filter_normalised_direction, landscape, orthogonal_to, project_history
from app.nn.model import Architecture, initial_parameters, unflatten
from app.nn.neuron import neuron_picture

XOR = {"network": {"dataset": "xor", "hidden": [4], "noise": 0.0}, "optimizer": "adam", "hyperparameters": {"lr": 0.05}}


def test_a_network_run_over_rest(client: TestClient) -> None:
    created = client.post("/api/v1/network/runs", json=XOR)
    assert created.status_code == 201 and created.json()["step"] == 0
    run_id = created.json()["id"]
    stepped = client.post(f"/api/v1/network/runs/{run_id}/step", json={"n": 600}).json()
    assert [f["step"] for f in stepped["frames"]][:2] == [1, 2]
    assert stepped["frames"][-1]["accuracy"] == 1.0
    again = client.get(f"/api/v1/network/runs/{run_id}", params={"since": 600}).json()
    assert again["frames"][0]["step"] == 600
    picture = client.get(f"/api/v1/network/runs/{run_id}/boundary", params={"resolution": 9}).json()
    assert len(picture["z"]) == 9 and len(picture["weights"]) == 2
    assert client.delete(f"/api/v1/network/runs/{run_id}").status_code == 204
    gone = client.get(f"/api/v1/network/runs/{run_id}")
    assert gone.status_code == 404 and "no run" in gone.json()["detail"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({**XOR, "optimizer": "bfgs"}, "first-order"),
        ({**XOR, "network": {"hidden": [4] * 7}}, "hidden"),
        ({**XOR, "network": {"dataset": "sine"}}, "squared_error"),
        ({**XOR, "hyperparameters": {"lr": -1}}, "lr"),
        ({**XOR, "network": {"dataset": "mnist"}}, "dataset"),
    ],
)
def test_bad_network_runs_are_refused_with_a_sentence(client: TestClient, body: dict, words: str) -> None:
    answer = client.post("/api/v1/network/runs", json=body)
    assert answer.status_code == 422 and words in answer.json()["detail"]


def test_a_network_race_over_the_websocket(client: TestClient) -> None:
    runs = [XOR, {**XOR, "optimizer": "gd", "hyperparameters": {"lr": 0.5}}]
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": runs, "batch": True})
        started = ws.receive_json()
        assert started["type"] == "started" and started["sizes"] == [[2, 4, 1], [2, 4, 1]]
        ws.receive_json()  # frame 0 of both
        ws.send_json({"type": "step", "n": 20})
        message = ws.receive_json()
        assert message["type"] == "frames" and len(message["frames"]) == 40
        newest = [f for f in message["frames"] if f["step"] == 20]
        assert all("picture" in f for f in newest)  # what the page draws travels with the newest frames
        assert not any("picture" in f for f in message["frames"] if f["step"] < 20)
        ws.send_json({"type": "update", "run": 1, "hyperparameters": {"lr": 0.1}})
        assert ws.receive_json()["runs"][1]["hyperparameters"]["lr"] == 0.1


def test_the_landscape_grid_is_computed_directly_with_rows_following_y() -> None:
    rng = np.random.default_rng(0)
    arch = Architecture((2, 3, 1), "tanh", "sigmoid")
    theta = initial_parameters(arch, "xavier_he", rng)
    x, y = rng.normal(size=(20, 2)), (rng.uniform(size=20) > 0.5).astype(float)
    found = landscape(theta, arch, x, y, "cross_entropy", 0.0, np.random.default_rng(1), resolution=(7, 5))
    assert found.loss.shape == (5, 7)  # 5 rows of beta (y), 7 columns of alpha (x)
    j, i = 1, 5
    direct = total_loss(theta + found.alphas[i] * found.d1 + found.betas[j] * found.d2, arch, x, y, "cross_entropy", 0)
    assert found.loss[j, i] == pytest.approx(direct)
    assert found.loss[2, 3] == pytest.approx(total_loss(theta, arch, x, y, "cross_entropy", 0))  # the centre is theta


def test_directions_are_filter_normalised_and_orthogonal() -> None:
    rng = np.random.default_rng(2)
    arch = Architecture((2, 5, 4, 1), "relu", "sigmoid")
    theta = initial_parameters(arch, "xavier_he", rng)
    d1 = filter_normalised_direction(theta, arch, rng)
    for (w_d, b_d), (w, _) in zip(unflatten(d1, arch), unflatten(theta, arch), strict=True):
        assert np.allclose(np.linalg.norm(w_d, axis=0), np.linalg.norm(w, axis=0))
        assert np.all(b_d == 0)
    d2 = orthogonal_to(filter_normalised_direction(theta, arch, rng), d1)
    assert abs(d1 @ d2) < 1e-9 * np.linalg.norm(d1) * np.linalg.norm(d2)


def test_a_path_in_a_plane_projects_with_no_distance() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=30), rng.normal(size=30)
    steps = np.array([1.0 + t * a + np.sin(t) * b for t in np.linspace(0, 3, 40)])
    projection = project_history(steps)
    assert np.allclose(projection.distance, 0, atol=1e-9)
    assert sum(projection.explained) == pytest.approx(1.0)


def test_the_landscape_endpoint_says_how_well_the_plane_fits(client: TestClient) -> None:
    run_id = client.post("/api/v1/network/runs", json=XOR).json()["id"]
    client.post(f"/api/v1/network/runs/{run_id}/step", json={"n": 50})
    answer = client.get(f"/api/v1/network/runs/{run_id}/landscape", params={"resolution": 11})
    result = json.loads(answer.text)
    assert len(result["loss"]) == 11 and len(result["path"]) == 51 and len(result["distance"]) == 51
    assert 0 < sum(result["explained"]) <= 1 + 1e-9


def test_cross_entropy_rescues_a_saturated_neuron_and_squared_error_crawls() -> None:
    picture = neuron_picture(start=(2.0, 2.0), lr=0.15, steps=100)
    # Both start at a = sigma(4) = 0.98 for the target 0.
    assert picture.outputs["squared_error"][0] == pytest.approx(picture.outputs["cross_entropy"][0])
    assert picture.outputs["cross_entropy"][-1] < 0.1 < 0.9 < picture.outputs["squared_error"][-1]
    assert picture.surfaces["squared_error"].shape == (len(picture.b), len(picture.w))

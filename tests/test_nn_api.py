"""Network runs over REST and websocket, the loss landscape after Li et al., and the single sigmoid neuron."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.nn.backprop import total_loss
from app.nn.landscape import bias_mask, landscape, plane_losses, project_history, random_directions
from app.nn.model import Architecture, initial_parameters, unflatten
from app.nn.neuron import neuron_picture
from app.nn.run import NetworkConfig, NetworkRun

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


def per_filter_norms(vector: np.ndarray, arch: Architecture) -> list[np.ndarray]:
    return [np.linalg.norm(w, axis=0) for w, _ in unflatten(vector, arch)]


@pytest.mark.parametrize("init", ["xavier_he", "large", "small_uniform"])
def test_each_random_direction_is_filter_normalised_on_its_own(init: str) -> None:
    rng = np.random.default_rng(2)
    arch = Architecture((2, 5, 4, 1), "relu", "sigmoid")
    theta = initial_parameters(arch, init, rng) + rng.normal(0, 0.1, arch.size)  # nonzero biases too
    d1, d2 = random_directions(theta, arch, np.random.default_rng(7))
    for direction in (d1, d2):
        for got, want in zip(per_filter_norms(direction, arch), per_filter_norms(theta, arch), strict=True):
            assert np.allclose(got, want, rtol=1e-8)
        assert np.all(direction[bias_mask(arch)] == 0)  # ignore='biasbn': no bias directions
    assert not np.allclose(d1, d2)
    # "keep" copies each bias into the direction, as the paper's code does without ignore='biasbn'.
    k1, _ = random_directions(theta, arch, np.random.default_rng(7), biases="keep")
    assert np.array_equal(k1[bias_mask(arch)], theta[bias_mask(arch)])


def test_the_orthogonal_variant_is_orthogonal_and_only_on_request() -> None:
    rng = np.random.default_rng(2)
    arch = Architecture((2, 5, 4, 1), "relu", "sigmoid")
    theta = initial_parameters(arch, "xavier_he", rng)
    d1, d2 = random_directions(theta, arch, np.random.default_rng(7), "filter_orthogonal")
    plain1, plain2 = random_directions(theta, arch, np.random.default_rng(7))
    assert np.array_equal(d1, plain1) and not np.allclose(d2, plain2)
    assert abs(d1 @ d2) < 1e-9 * np.linalg.norm(d1) * np.linalg.norm(d2)
    assert abs(plain1 @ plain2) > 1e-6 * np.linalg.norm(plain1) * np.linalg.norm(plain2)


def trained_history(steps: int = 60) -> tuple[NetworkRun, np.ndarray]:
    run = NetworkRun(NetworkConfig(dataset="moons", hidden=(5, 4), optimizer="adam", hyperparameters={"lr": 0.05}))
    run.advance(steps)
    return run, np.array(run.history)


@pytest.mark.parametrize("biases", ["ignore", "keep"])
def test_the_pca_plane_passes_through_the_final_weights(biases: str) -> None:
    run, history = trained_history()
    projection = project_history(history, run.arch, biases)
    assert np.array_equal(projection.origin, history[-1])
    assert np.allclose(projection.coordinates[-1], 0) and projection.distance[-1] == 0
    assert np.allclose(projection.directions @ projection.directions.T, np.eye(2), atol=1e-10)
    if biases == "ignore":
        assert np.all(projection.directions[:, bias_mask(run.arch)] == 0)
    # The plane's loss at (0, 0) is the final weights' loss.
    us, vs, grid = plane_losses(projection, run.arch, run.data.x_train, run.data.y_train, run.config.loss, 0.0, 5)
    final_loss = total_loss(history[-1], run.arch, run.data.x_train, run.data.y_train, run.config.loss, 0.0)
    j, i = 2, 1
    at = projection.origin + us[i] * projection.directions[0] + vs[j] * projection.directions[1]
    assert grid[j, i] == pytest.approx(total_loss(at, run.arch, run.data.x_train, run.data.y_train, "cross_entropy", 0))
    assert final_loss == pytest.approx(run.frames[-1]["loss"])


@pytest.mark.parametrize("biases", ["ignore", "keep"])
def test_the_path_projection_is_the_least_squares_one(biases: str) -> None:
    run, history = trained_history()
    projection = project_history(history, run.arch, biases)
    plane = projection.directions.T  # (P, 2)
    for k in (0, 17, 40):
        difference = history[k] - history[-1]
        solved, *_ = np.linalg.lstsq(plane, difference, rcond=None)
        assert np.allclose(projection.coordinates[k], solved, atol=1e-10)
        assert projection.distance[k] == pytest.approx(np.linalg.norm(difference - plane @ solved), abs=1e-10)


def test_the_principal_directions_are_those_of_the_differences_from_the_final_weights() -> None:
    run, history = trained_history()
    projection = project_history(history, run.arch, "keep")
    differences = history - history[-1]
    centred = differences - differences.mean(axis=0)
    covariance = centred.T @ centred
    values, vectors = np.linalg.eigh(covariance)
    top = vectors[:, ::-1][:, :2].T
    for got, want in zip(projection.directions, top, strict=True):
        assert abs(abs(got @ want) - 1) < 1e-6  # the same axis, up to its sign
    assert projection.explained[0] == pytest.approx(values[-1] / values.sum(), rel=1e-6)


def test_the_landscape_endpoint_says_how_well_the_plane_fits(client: TestClient) -> None:
    run_id = client.post("/api/v1/network/runs", json=XOR).json()["id"]
    client.post(f"/api/v1/network/runs/{run_id}/step", json={"n": 50})
    answer = client.get(f"/api/v1/network/runs/{run_id}/landscape", params={"resolution": 11})
    result = json.loads(answer.text)
    assert len(result["loss"]) == 11 and len(result["path"]) == 51 and len(result["distance"]) == 51
    assert 0 < sum(result["explained"]) <= 1 + 1e-9
    assert result["directions"] == "filter" and result["biases"] == "ignore"
    assert result["path"][-1] == [0.0, 0.0]  # the plane passes through the final weights
    orthogonal = client.get(
        f"/api/v1/network/runs/{run_id}/landscape", params={"resolution": 5, "directions": "filter_orthogonal"}
    )
    assert orthogonal.status_code == 200 and orthogonal.json()["loss"] != result["loss"]
    bad = client.get(f"/api/v1/network/runs/{run_id}/landscape", params={"directions": "pca"})
    assert bad.status_code == 422 and "directions" in bad.text


def forward_by_hand(layers: list[dict], activations: list[str], x: np.ndarray) -> np.ndarray:
    """An independent forward pass from the weights as the API gives them."""
    functions = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    functions["linear"] = lambda z: z
    a = x
    for layer, name in zip(layers, activations, strict=True):
        a = functions[name](a @ np.array(layer["w"]) + np.array(layer["b"]))
    return a[:, 0]


@pytest.mark.parametrize(
    "network",
    [
        {"dataset": "moons", "hidden": [5], "activation": "tanh", "loss": "cross_entropy", "l2": 0.01},
        {"dataset": "sine", "hidden": [8, 8], "activation": "relu", "loss": "squared_error"},
    ],
)
def test_anyone_can_recompute_a_frames_loss_from_the_data_and_the_weights(client: TestClient, network: dict) -> None:
    body = {"network": network, "optimizer": "adam", "hyperparameters": {"lr": 0.02}, "seed": 4}
    run_id = client.post("/api/v1/network/runs", json=body).json()["id"]
    frames = client.post(f"/api/v1/network/runs/{run_id}/step", json={"n": 30}).json()["frames"]
    data = client.get(f"/api/v1/network/runs/{run_id}/data").json()
    assert data["loss"] == network["loss"] and len(data["train"]["x"]) == 160 and len(data["test"]["y"]) == 40
    for step in (0, 30):
        weights = client.get(f"/api/v1/network/runs/{run_id}/weights", params={"step": step}).json()
        assert weights["step"] == step
        penalty = 0.5 * network.get("l2", 0) * sum(np.sum(np.array(layer["w"]) ** 2) for layer in weights["layers"])
        for part, key in (("train", "loss"), ("test", "test_loss")):
            x, y = np.array(data[part]["x"]), np.array(data[part]["y"])
            a = forward_by_hand(weights["layers"], weights["activations"], x)
            if network["loss"] == "cross_entropy":
                loss = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
            else:
                loss = 0.5 * np.mean((a - y) ** 2)
            frame = frames[-1] if step == 30 else client.get(f"/api/v1/network/runs/{run_id}").json()["frames"][0]
            assert loss + penalty == pytest.approx(frame[key], rel=1e-9)
    assert client.get("/api/v1/network/runs/nope/data").status_code == 404


def test_cross_entropy_rescues_a_saturated_neuron_and_squared_error_crawls() -> None:
    picture = neuron_picture(start=(2.0, 2.0), lr=0.15, steps=100)
    # Both start at a = sigma(4) = 0.98 for the target 0.
    assert picture.outputs["squared_error"][0] == pytest.approx(picture.outputs["cross_entropy"][0])
    assert picture.outputs["cross_entropy"][-1] < 0.1 < 0.9 < picture.outputs["squared_error"][-1]
    assert picture.surfaces["squared_error"].shape == (len(picture.b), len(picture.w))


def test_the_neuron_reports_each_runs_loss_and_gradient_per_step(client: TestClient) -> None:
    result = client.get("/api/v1/network/neuron", params={"steps": 3000}).json()
    h = 1e-6
    for loss in ("squared_error", "cross_entropy"):
        assert len(result["losses"][loss]) == len(result["gradients"][loss]) == len(result["paths"][loss]) == 3001
        for step in (0, 150, 3000):
            w, b = result["paths"][loss][step]
            a = 1 / (1 + np.exp(-(w + b)))  # x = 1, y = 0
            own = 0.5 * a**2 if loss == "squared_error" else -np.log(1 - a)
            assert result["losses"][loss][step] == pytest.approx(own, rel=1e-9)
            up, down = (1 / (1 + np.exp(-(w + s + b))) for s in (h, -h))
            cost = (lambda v: 0.5 * v**2) if loss == "squared_error" else (lambda v: -np.log(1 - v))
            assert result["gradients"][loss][step][0] == pytest.approx((cost(up) - cost(down)) / (2 * h), rel=1e-5)
    # At the saturated start the cross-entropy slope is about fifty times the squared error's.
    first = {loss: result["gradients"][loss][0][0] for loss in ("squared_error", "cross_entropy")}
    assert first["cross_entropy"] > 40 * first["squared_error"] > 0

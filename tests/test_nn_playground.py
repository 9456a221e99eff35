"""TensorFlow Playground's controls on the network: unit pictures, input features, L1, noise and split, regression."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.nn.backprop import gradient, total_loss
from app.nn.datasets import make_dataset
from app.nn.features import FEATURES, expand
from app.nn.model import Architecture, initial_parameters, unflatten
from app.nn.run import MAX_THUMBNAIL_VALUES, NetworkConfig, NetworkRun


def _create(client: TestClient, network: dict, steps: int = 0, **extra) -> str:
    body = {"network": network, "optimizer": "adam", "hyperparameters": {"lr": 0.05}, **extra}
    created = client.post("/api/v1/network/runs", json=body)
    assert created.status_code == 201, created.text
    run_id = created.json()["id"]
    if steps:
        client.post(f"/api/v1/network/runs/{run_id}/step", json={"n": steps})
    return run_id


def _grid(units: dict) -> np.ndarray:
    """The thumbnails' points, one row per point, in the order the grids are flattened (rows follow y)."""
    xs, ys = np.array(units["x"]), np.array(units["y"])
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def test_each_units_picture_is_its_activation_from_the_weights(client: TestClient) -> None:
    run_id = _create(client, {"dataset": "circles", "hidden": [3, 2], "activation": "tanh"}, steps=40)
    picture = client.get(f"/api/v1/network/runs/{run_id}/boundary").json()
    weights = client.get(f"/api/v1/network/runs/{run_id}/weights").json()
    assert weights["step"] == 40
    units = picture["units"]
    assert len(units["x"]) == len(units["y"]) == 21
    points = _grid(units)
    (w1, b1), (w2, b2) = [(np.array(layer["w"]), np.array(layer["b"])) for layer in weights["layers"][:2]]
    expected = [points, np.tanh(points @ w1 + b1), np.tanh(np.tanh(points @ w1 + b1) @ w2 + b2)]
    assert [len(layer) for layer in units["layers"]] == [2, 3, 2]  # x and y, then each hidden layer's units
    for layer, want in zip(units["layers"], expected, strict=True):
        for j, grid in enumerate(layer):
            got = np.array(grid, dtype=float)
            assert got.shape == (21, 21)
            np.testing.assert_allclose(got.ravel(), want[:, j], atol=0.0051)  # two decimals


def test_unit_pictures_stay_bounded_for_the_biggest_network(client: TestClient) -> None:
    run = NetworkRun(NetworkConfig(dataset="spiral", hidden=(16,) * 6, max_steps=5))
    units = run.picture(0)["units"]
    values = sum(len(grid) * len(grid[0]) for layer in units["layers"] for grid in layer)
    assert sum(len(layer) for layer in units["layers"]) == 2 + 96
    assert values <= MAX_THUMBNAIL_VALUES
    assert len(json.dumps(units)) < 8 * MAX_THUMBNAIL_VALUES  # each value at most "-0.12, " or so


def test_the_websockets_newest_frame_carries_the_unit_pictures(client: TestClient) -> None:
    spec = {"network": {"dataset": "xor", "hidden": [4]}, "optimizer": "adam", "hyperparameters": {"lr": 0.05}}
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [spec], "batch": True})
        assert ws.receive_json()["type"] == "started"
        ws.receive_json()  # frame 0
        ws.send_json({"type": "step", "n": 5})
        message = ws.receive_json()
        pictures = [f["picture"] for f in message["frames"] if "picture" in f]
    units = pictures[0]["units"]
    assert [len(layer) for layer in units["layers"]] == [2, 4]


def test_a_one_input_regression_has_no_unit_pictures(client: TestClient) -> None:
    run_id = _create(client, {"dataset": "sine", "loss": "squared_error", "hidden": [4]})
    assert client.get(f"/api/v1/network/runs/{run_id}/boundary").json()["units"] is None


# ----- input features ------------------------------------------------------------------------------------------


def _numeric_gradient(theta, arch, x, y, loss, l2, l1=0.0, h=1e-6):
    out = np.zeros_like(theta)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += h
        minus[i] -= h
        penalty = {"l1": l1} if l1 else {}
        up = total_loss(plus, arch, x, y, loss, l2, **penalty)
        out[i] = (up - total_loss(minus, arch, x, y, loss, l2, **penalty)) / (2 * h)
    return out


def test_backprop_with_every_feature_equals_finite_differences() -> None:
    rng = np.random.default_rng(5)
    points = rng.uniform(-1, 1, (9, 2))
    x = expand(tuple(FEATURES), points)
    assert x.shape == (9, 7)
    arch = Architecture((7, 3, 1), "tanh", "sigmoid")
    theta = initial_parameters(arch, "xavier_he", rng) + rng.normal(0, 0.1, arch.size)
    y = (rng.uniform(size=9) > 0.5).astype(float)
    analytic = gradient(theta, arch, x, y, "cross_entropy", 0.01).flat
    assert np.allclose(analytic, _numeric_gradient(theta, arch, x, y, "cross_entropy", 0.01), rtol=1e-6, atol=1e-8)


def test_squares_of_the_inputs_let_a_network_without_hidden_layers_learn_circles() -> None:
    def final_accuracy(features: tuple[str, ...]) -> float:
        run = NetworkRun(
            NetworkConfig(dataset="circles", hidden=(), features=features, max_steps=300, hyperparameters={"lr": 0.1})
        )
        run.advance(300)
        return run.frames[-1]["accuracy"]

    assert final_accuracy(("x", "y")) < 0.75  # a straight line cannot close around the disc
    assert final_accuracy(("x2", "y2")) >= 0.95  # a line in (x², y²) is a circle in (x, y)


def test_the_input_units_pictures_are_the_features(client: TestClient) -> None:
    network = {"dataset": "xor", "features": ["sin_y", "xy", "x2"], "hidden": [2]}
    run_id = _create(client, network)
    run = client.get(f"/api/v1/network/runs/{run_id}").json()
    assert run["config"]["network"]["features"] == ["x2", "xy", "sin_y"]  # catalogue order, as the diagram draws
    units = client.get(f"/api/v1/network/runs/{run_id}/boundary").json()["units"]
    p = _grid(units)
    for grid, want in zip(units["layers"][0], [p[:, 0] ** 2, p[:, 0] * p[:, 1], np.sin(p[:, 1])], strict=True):
        np.testing.assert_allclose(np.array(grid).ravel(), want, atol=0.0051)
    weights = client.get(f"/api/v1/network/runs/{run_id}/weights").json()
    assert weights["sizes"] == [3, 2, 1]


@pytest.mark.parametrize(
    ("network", "words"),
    [
        ({"dataset": "xor", "features": ["x", "x"]}, "twice"),
        ({"dataset": "sine", "loss": "squared_error", "features": ["x", "y"]}, "one input"),
        ({"dataset": "xor", "features": ["z"]}, "features"),
        ({"dataset": "xor", "features": []}, "features"),
    ],
)
def test_bad_features_are_refused_with_a_sentence(client: TestClient, network: dict, words: str) -> None:
    answer = client.post("/api/v1/network/runs", json={"network": network})
    assert 400 <= answer.status_code < 500
    assert words in answer.text


# ----- noise and the training/test split ------------------------------------------------------------------------


def test_the_split_and_the_noise_reach_the_data(client: TestClient) -> None:
    def data(**network) -> dict:
        run_id = _create(client, {"dataset": "circles", "points": 200, **network})
        return client.get(f"/api/v1/network/runs/{run_id}/data").json()

    assert [len(data(test_share=share)["test"]["y"]) for share in (0.0, 0.3, 0.5)] == [0, 60, 100]
    quiet, noisy = data(noise=0.0), data(noise=0.3)
    radius = [np.hypot(*np.array(d["train"]["x"]).T) for d in (quiet, noisy)]
    inner = [r[np.array(d["train"]["y"]) == 1] for r, d in zip(radius, (quiet, noisy), strict=True)]
    assert inner[0].max() <= 0.45 < inner[1].max()  # without noise the disc stays inside its radius


def test_a_run_without_test_data_reports_no_test_numbers(client: TestClient) -> None:
    run_id = _create(client, {"dataset": "xor", "test_share": 0.0}, steps=3)
    frame = client.get(f"/api/v1/network/runs/{run_id}").json()["frames"][-1]
    assert frame["test_loss"] is None and frame["test_accuracy"] is None and frame["accuracy"] is not None


@pytest.mark.parametrize(("field", "value"), [("noise", 0.8), ("test_share", 0.9), ("noise", -0.1)])
def test_noise_and_split_out_of_range_are_refused(client: TestClient, field: str, value: float) -> None:
    answer = client.post("/api/v1/network/runs", json={"network": {"dataset": "xor", field: value}})
    assert answer.status_code == 422 and field in answer.text


# ----- L1 regularisation ---------------------------------------------------------------------------------------


def _away_from_zero(theta: np.ndarray, arch: Architecture) -> np.ndarray:
    """The same weights with every |w| at least 0.05, so |w| is differentiable within the finite difference."""
    out = theta.copy()
    for w, _ in unflatten(out, arch):
        w[...] = np.where(w >= 0, 1, -1) * np.maximum(np.abs(w), 0.05)
    return out


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_the_l1_subgradient_equals_finite_differences_away_from_zero(activation: str) -> None:
    rng = np.random.default_rng(11)
    arch = Architecture((3, 4, 1), activation, "sigmoid")
    theta = _away_from_zero(initial_parameters(arch, "xavier_he", rng) + rng.normal(0, 0.1, arch.size), arch)
    x = rng.normal(0, 1, (8, 3)) + 0.01
    y = (rng.uniform(size=8) > 0.5).astype(float)
    analytic = gradient(theta, arch, x, y, "cross_entropy", 0.01, l1=0.05).flat
    numeric = _numeric_gradient(theta, arch, x, y, "cross_entropy", 0.01, l1=0.05)
    assert np.allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    without = gradient(theta, arch, x, y, "cross_entropy", 0.01).flat
    assert not np.allclose(analytic, without)  # the penalty did something


def test_l1_penalises_the_weights_not_the_biases_and_is_zero_at_zero() -> None:
    rng = np.random.default_rng(2)
    arch = Architecture((2, 3, 1), "tanh", "sigmoid")
    theta = initial_parameters(arch, "xavier_he", rng)
    for _, b in unflatten(theta, arch):
        b[...] = 5.0  # large biases: a penalty that counted them would show
    w1 = unflatten(theta, arch)[0][0]
    w1[0, 0] = 0.0
    x, y = rng.normal(0, 1, (6, 2)), np.array([0, 1, 0, 1, 1, 0], dtype=float)
    weights_only = sum(np.abs(w).sum() for w, _ in unflatten(theta, arch))
    added = total_loss(theta, arch, x, y, "cross_entropy", 0.0, l1=0.1) - total_loss(
        theta, arch, x, y, "cross_entropy", 0.0
    )
    assert added == pytest.approx(0.1 * weights_only)
    with_l1 = gradient(theta, arch, x, y, "cross_entropy", 0.0, l1=0.1).flat
    without = gradient(theta, arch, x, y, "cross_entropy", 0.0).flat
    assert with_l1[0] == without[0]  # W1[0, 0] = 0: the subgradient there is 0
    biases = [6, 7, 8, 12]  # b1 follows W1's 6 entries, b2 follows W2's 3
    assert np.array_equal(with_l1[biases], without[biases])


def test_a_frames_loss_is_the_data_loss_plus_the_l1_penalty_over_rest(client: TestClient) -> None:
    run_id = _create(client, {"dataset": "moons", "hidden": [3], "l1": 0.02, "loss": "squared_error"}, steps=5)
    frame = client.get(f"/api/v1/network/runs/{run_id}").json()["frames"][-1]
    data = client.get(f"/api/v1/network/runs/{run_id}/data").json()
    layers = client.get(f"/api/v1/network/runs/{run_id}/weights").json()["layers"]
    (w1, b1), (w2, b2) = [(np.array(layer["w"]), np.array(layer["b"])) for layer in layers]
    x, y = np.array(data["train"]["x"]), np.array(data["train"]["y"])
    out = 1 / (1 + np.exp(-(np.tanh(x @ w1 + b1) @ w2 + b2)[:, 0]))
    expected = 0.5 * np.mean((out - y) ** 2) + 0.02 * (np.abs(w1).sum() + np.abs(w2).sum())
    assert frame["loss"] == pytest.approx(expected, rel=1e-9)


def test_l1_out_of_range_is_refused(client: TestClient) -> None:
    answer = client.post("/api/v1/network/runs", json={"network": {"dataset": "xor", "l1": 2}})
    assert answer.status_code == 422 and "l1" in answer.text


# ----- regression over the plane -------------------------------------------------------------------------------


def test_the_regression_sets_targets_are_their_functions_without_noise() -> None:
    plane = make_dataset("plane", 100, noise=0.0)
    np.testing.assert_allclose(plane.y_train, plane.x_train.sum(axis=1) / 2)
    bump = make_dataset("gaussian", 100, noise=0.0)
    r2 = np.sum(bump.x_train**2, axis=1)
    assert plane.task == bump.task == "regression"
    assert np.all(np.diff(bump.y_train[np.argsort(r2)]) <= 0)  # it falls away from the centre
    assert bump.y_train.max() <= 1 and bump.y_train.min() >= -1


def test_a_network_without_hidden_layers_fits_the_plane_and_its_picture_is_the_prediction(client: TestClient) -> None:
    network = {"dataset": "plane", "loss": "squared_error", "hidden": [], "noise": 0.0}
    run_id = _create(client, network, steps=400)
    frame = client.get(f"/api/v1/network/runs/{run_id}").json()["frames"][-1]
    assert frame["loss"] < 1e-4 and frame["accuracy"] is None
    picture = client.get(f"/api/v1/network/runs/{run_id}/boundary", params={"resolution": 11}).json()
    layer = client.get(f"/api/v1/network/runs/{run_id}/weights").json()["layers"][0]
    xs, ys = np.array(picture["x"]), np.array(picture["y"])
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    prediction = points @ np.array(layer["w"])[:, 0] + layer["b"][0]  # the linear output, no sigmoid
    np.testing.assert_allclose(np.array(picture["z"]).ravel(), prediction, atol=1e-4)
    np.testing.assert_allclose(prediction, points.sum(axis=1) / 2, atol=0.02)  # and it is the plane


def test_the_gaussian_bump_needs_squared_error(client: TestClient) -> None:
    answer = client.post("/api/v1/network/runs", json={"network": {"dataset": "gaussian", "loss": "cross_entropy"}})
    assert 400 <= answer.status_code < 500 and "squared_error" in answer.text

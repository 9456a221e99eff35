"""TensorFlow Playground's controls on the network: unit pictures, input features, L1, noise and split, regression."""

from __future__ import annotations

import json

import numpy as np
from fastapi.testclient import TestClient

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

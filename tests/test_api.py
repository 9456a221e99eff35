"""The REST contract of PRODUCT.md, as a programmer meets it."""

from __future__ import annotations

import json
import math

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


def no_nan(text: str) -> None:
    """JSON has no NaN or Infinity; a strict parser must accept every body."""
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON body"))


def test_functions_catalogue_has_the_contract_fields(client: TestClient) -> None:
    functions = client.get("/api/v1/functions").json()
    ids = {f["id"] for f in functions}
    assert {"quadratic", "rosenbrock", "himmelblau", "saddle"} <= ids
    for f in functions:
        assert f["dim"] in (1, 2)
        assert len(f["start"]) == f["dim"] == len(f["domain"])
        assert f["formula"]
    quadratic = next(f for f in functions if f["id"] == "quadratic")
    assert quadratic["start"] == [8]
    assert quadratic["minima"][0]["point"] == pytest.approx([2.0])


def test_optimizers_catalogue_follows_torch_names(client: TestClient) -> None:
    optimizers = {o["id"]: o for o in client.get("/api/v1/optimizers").json()}
    expected = {
        "gd": {"lr", "weight_decay"},
        "momentum": {"lr", "momentum", "dampening", "weight_decay"},
        "nesterov": {"lr", "momentum", "weight_decay"},
        "adagrad": {"lr", "eps", "lr_decay", "initial_accumulator_value", "weight_decay"},
        "rmsprop": {"lr", "alpha", "eps", "momentum", "centered", "weight_decay"},
        "adam": {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"},
        "adamw": {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"},
        "rprop": {"lr", "eta_minus", "eta_plus", "step_min", "step_max"},
    }
    for optimizer_id, names in expected.items():
        assert {h["name"] for h in optimizers[optimizer_id]["hyperparameters"]} == names
    for other in ("sign_gd", "newton", "bfgs", "cg", "nelder_mead", "hooke_jeeves"):
        assert other in optimizers
    adam = {h["name"]: h for h in optimizers["adam"]["hyperparameters"]}
    assert adam["beta1"]["default"] == 0.9 and adam["beta2"]["default"] == 0.999 and adam["eps"]["default"] == 1e-8
    for o in optimizers.values():
        for h in o["hyperparameters"]:
            if h["type"] == "boolean":
                assert isinstance(h["default"], bool) and h["minimum"] is None and h["maximum"] is None
            else:
                assert not isinstance(h["default"], bool) and h["minimum"] <= h["default"] <= h["maximum"]


def test_seeds_worked_example_through_optimize(client: TestClient) -> None:
    body = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "start": [8], "steps": 4}
    answer = client.post("/api/v1/optimize", json=body)
    assert answer.status_code == 200
    frames = answer.json()["frames"]
    xs = [f["params"][0] for f in frames]
    assert xs == pytest.approx([8, 6.8, 5.84, 5.072, 4.4576], abs=1e-12)
    assert frames[0]["grad"] == pytest.approx([12.0])
    assert frames[0]["loss"] == pytest.approx(38.0)
    assert [f["step"] for f in frames] == [0, 1, 2, 3, 4]
    assert answer.json()["status"] == "max_steps"


def test_seeds_example_converges_to_two(client: TestClient) -> None:
    body = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "steps": 1000}
    result = client.post("/api/v1/optimize", json=body).json()
    assert result["status"] == "converged"
    assert result["frames"][-1]["params"][0] == pytest.approx(2.0, abs=1e-6)
    assert "Converged" in result["message"]


def test_adam_descends_rosenbrock(client: TestClient) -> None:
    body = {
        "function": "rosenbrock",
        "optimizer": "adam",
        "hyperparameters": {"lr": 0.02},
        "start": [-1.5, 2],
        "steps": 10000,
    }
    result = client.post("/api/v1/optimize", json=body).json()
    final = result["frames"][-1]
    assert final["loss"] < 1e-4
    assert final["params"] == pytest.approx([1.0, 1.0], abs=0.02)
    assert final["evaluations"]["grad"] == final["step"]


def test_diverging_learning_rate_is_explained(client: TestClient) -> None:
    body = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 1.1}, "steps": 2000}
    answer = client.post("/api/v1/optimize", json=body)
    no_nan(answer.text)
    result = answer.json()
    assert result["status"] == "diverged"
    # f'' = 2 everywhere, so the stable limit for plain gradient descent is 2/2 = 1.
    assert "1.1" in result["message"] and "stable limit 1 " in result["message"]
    assert all(math.isfinite(f["loss"]) for f in result["frames"])


def test_huge_learning_rate_never_leaks_nan(client: TestClient) -> None:
    for optimizer in ("gd", "momentum", "nesterov"):
        body = {"function": "rosenbrock", "optimizer": optimizer, "hyperparameters": {"lr": 1000}, "steps": 500}
        answer = client.post("/api/v1/optimize", json=body)
        assert answer.status_code == 200
        no_nan(answer.text)
        assert answer.json()["status"] == "diverged"


def test_surface_grid_orientation(client: TestClient) -> None:
    answer = client.get(
        "/api/v1/surface",
        params={"function": "elongated", "resolution": 5, "x_min": -2, "x_max": 2, "y_min": 0, "y_max": 1},
    )
    surface = answer.json()
    assert surface["x"] == pytest.approx([-2, -1, 0, 1, 2])
    assert surface["y"] == pytest.approx([0, 0.25, 0.5, 0.75, 1])
    functions = {f["id"]: f for f in client.get("/api/v1/functions").json()}
    assert functions["elongated"]["dim"] == 2
    # rows follow y: z[i][j] is the loss at (x[j], y[i]); row 0 (y = 0) is symmetric in x.
    row0 = surface["z"][0]
    assert row0[0] == pytest.approx(row0[4]) and row0[2] == pytest.approx(min(row0))
    assert surface["z"][4][2] > surface["z"][0][2]


def test_surface_1d(client: TestClient) -> None:
    surface = client.get(
        "/api/v1/surface", params={"function": "quadratic", "resolution": 3, "x_min": 0, "x_max": 4}
    ).json()
    assert surface["y"] is None
    assert surface["z"] == pytest.approx([6.0, 2.0, 6.0])


BAD_OPTIMIZE = [
    ({"function": "nope", "optimizer": "gd"}, "Unknown function 'nope'"),
    ({"function": "quadratic", "optimizer": "sgdx"}, "Unknown optimizer 'sgdx'"),
    ({"function": "quadratic", "optimizer": "gd", "hyperparameters": {"learning_rate": 0.1}}, "'learning_rate'"),
    ({"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": -1}}, "lr = -1"),
    ({"function": "quadratic", "optimizer": "gd", "start": [1, 2]}, "1D function"),
    ({"function": "rosenbrock", "optimizer": "gd", "start": [1, 2, 3]}, "start"),
    ({"function": "quadratic", "optimizer": "gd", "steps": 10**6}, "steps"),
    ({"function": "quadratic", "optimizer": "gd", "steps": 0}, "steps"),
    ({"function": "quadratic", "optimizer": "bfgs", "schedule": {"kind": "cosine"}}, "no learning rate"),
    ({"function": "quadratic", "optimizer": "gd", "colour": "red"}, "colour"),
    ({"function": "quadratic", "optimizer": "gd", "start": [1e300]}, "1e6"),
]


@pytest.mark.parametrize(("body", "fragment"), BAD_OPTIMIZE)
def test_bad_optimize_requests_get_a_readable_422(client: TestClient, body: dict, fragment: str) -> None:
    answer = client.post("/api/v1/optimize", json=body)
    assert answer.status_code == 422
    assert fragment in answer.json()["detail"]


@pytest.mark.parametrize(
    "raw",
    [
        '{"function": "quadratic", "optimizer": "gd", "start": [NaN]}',
        '{"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": Infinity}}',
        '{"function": "quadratic", ',
        "[]",
    ],
)
def test_non_json_and_non_finite_bodies_are_refused(client: TestClient, raw: str) -> None:
    answer = client.post("/api/v1/optimize", content=raw, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"function": "nope"},
        {"function": "rosenbrock", "resolution": 100000},
        {"function": "rosenbrock", "x_min": 3, "x_max": 1},
        {"function": "rosenbrock", "resolution": 1},
    ],
)
def test_bad_surface_requests(client: TestClient, params: dict) -> None:
    answer = client.get("/api/v1/surface", params=params)
    assert answer.status_code == 422
    assert answer.json()["detail"]


def test_run_lifecycle(client: TestClient) -> None:
    created = client.post(
        "/api/v1/runs", json={"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}}
    )
    assert created.status_code == 201
    run = created.json()
    assert run["step"] == 0 and run["status"] == "running" and len(run["frames"]) == 1
    stepped = client.post(f"/api/v1/runs/{run['id']}/step", json={"n": 3}).json()
    assert [f["params"][0] for f in stepped["frames"]] == pytest.approx([6.8, 5.84, 5.072])
    assert stepped["step"] == 3
    again = client.post(f"/api/v1/runs/{run['id']}/step", json={"n": 1}).json()
    assert again["frames"][0]["params"][0] == pytest.approx(4.4576)
    full = client.get(f"/api/v1/runs/{run['id']}").json()
    assert len(full["frames"]) == 5
    tail = client.get(f"/api/v1/runs/{run['id']}", params={"since": 3}).json()
    assert [f["step"] for f in tail["frames"]] == [3, 4]
    assert client.delete(f"/api/v1/runs/{run['id']}").status_code == 204
    gone = client.get(f"/api/v1/runs/{run['id']}")
    assert gone.status_code == 404


def test_run_stops_at_max_steps(client: TestClient) -> None:
    run = client.post(
        "/api/v1/runs",
        json={"function": "rosenbrock", "optimizer": "gd", "hyperparameters": {"lr": 1e-4}, "max_steps": 5},
    ).json()
    stepped = client.post(f"/api/v1/runs/{run['id']}/step", json={"n": 100}).json()
    assert stepped["step"] == 5 and stepped["status"] == "max_steps"
    more = client.post(f"/api/v1/runs/{run['id']}/step", json={"n": 1}).json()
    assert more["frames"] == [] and more["step"] == 5


def test_unknown_and_evicted_runs_say_why() -> None:
    with TestClient(create_app(Settings(max_live_runs=2))) as small:
        ids = [small.post("/api/v1/runs", json={"function": "bowl", "optimizer": "gd"}).json()["id"] for _ in range(3)]
        evicted = small.get(f"/api/v1/runs/{ids[0]}")
        assert evicted.status_code == 404
        assert "at most 2 runs" in evicted.json()["detail"]
        assert small.get(f"/api/v1/runs/{ids[2]}").status_code == 200
        unknown = small.post("/api/v1/runs/nonexistent/step", json={"n": 1})
        assert unknown.status_code == 404 and "There is no run" in unknown.json()["detail"]


def test_step_limits(client: TestClient) -> None:
    run = client.post("/api/v1/runs", json={"function": "bowl", "optimizer": "gd"}).json()
    too_many = client.post(f"/api/v1/runs/{run['id']}/step", json={"n": 10**7})
    assert too_many.status_code == 422 and "n" in too_many.json()["detail"]


def test_openapi_documents_the_contract(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/v1/functions",
        "/api/v1/optimizers",
        "/api/v1/surface",
        "/api/v1/optimize",
        "/api/v1/runs",
        "/api/v1/runs/{run_id}",
        "/api/v1/runs/{run_id}/step",
    ):
        assert path in schema["paths"]
    assert client.get("/docs").status_code == 200

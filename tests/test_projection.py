"""Answers with many frames: only the fields asked for, as rows or as columns, and compressed cheaply."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

WORKED = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "start": [8], "steps": 4}


def test_columns_give_the_worked_example_as_one_array_per_field(client: TestClient) -> None:
    answer = client.post("/api/v1/optimize?fields=params,loss&layout=columns", json=WORKED)
    assert answer.status_code == 200
    frames = answer.json()["frames"]
    assert set(frames) == {"params", "loss"}
    assert [p[0] for p in frames["params"]] == pytest.approx([8, 6.8, 5.84, 5.072, 4.4576])
    # f(x) = x^2 - 4x + 6 at each of those points, computed here by hand.
    assert frames["loss"] == pytest.approx([x * x - 4 * x + 6 for x in (8, 6.8, 5.84, 5.072, 4.4576)])


def test_fields_and_columns_are_views_of_the_same_frames(client: TestClient) -> None:
    body = {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 0.05}, "steps": 50}
    rows = client.post("/api/v1/optimize", json=body).json()["frames"]
    some = client.post("/api/v1/optimize?fields=loss,step", json=body).json()["frames"]
    columns = client.post("/api/v1/optimize?layout=columns", json=body).json()["frames"]
    assert some == [{"step": f["step"], "loss": f["loss"]} for f in rows]
    assert list(some[0]) == ["step", "loss"]  # frame order, whatever order they were asked in
    assert len(columns["step"]) == len(rows) == 51
    for name in rows[0]:
        assert columns[name] == [f[name] for f in rows]


def test_a_kept_run_reads_as_columns_from_a_step_on(client: TestClient) -> None:
    run = client.post("/api/v1/runs", json={k: v for k, v in WORKED.items() if k != "steps"}).json()
    client.post(f"/api/v1/runs/{run['id']}/step", json={"n": 3})
    frames = client.get(f"/api/v1/runs/{run['id']}?since=1&fields=step,params&layout=columns").json()["frames"]
    assert frames["step"] == [1, 2, 3]
    assert [p[0] for p in frames["params"]] == pytest.approx([6.8, 5.84, 5.072])


@pytest.mark.parametrize("query", ["fields=los", "fields=,", "layout=table", "fields=" + "x" * 300])
def test_an_unknown_field_or_layout_is_a_422_that_lists_the_choices(client: TestClient, query: str) -> None:
    answer = client.post(f"/api/v1/optimize?{query}", json=WORKED)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "fields" in detail or "layout" in detail


def test_long_answers_are_gzipped_only_for_clients_that_ask(client: TestClient) -> None:
    body = {**WORKED, "steps": 2000}
    plain = client.post("/api/v1/optimize", json=body, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    packed = client.post("/api/v1/optimize", json=body, headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.json() == plain.json()  # the client unpacked it
    assert int(packed.headers["content-length"]) < len(plain.content) / 2

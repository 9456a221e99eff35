"""Frames written as JSON from the columns are, byte for byte, the frames the run reports, in every shape."""

from __future__ import annotations

import gc
import itertools
import math
import threading

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient

from app.api.encoding import collector_paused, columns_json, rows_json
from app.runs.factory import build_config
from app.runs.history import FIELDS, History
from app.runs.run import Run, replay

# Runs whose frames take every way through the encoder: vector and number extras in columns, extras that are
# None (rprop's lr), keyed sentences and trial points kept beside the columns, no extras at all, 1D, a typed formula,
# a run that blows up, and one whose layout of extras changes along the way.
RUNS = {
    "adam": ("rosenbrock", "adam", {"lr": 0.01}, None),
    "rprop": ("himmelblau", "rprop", {}, None),
    "newton on a saddle": ("saddle", "newton", {}, None),
    "bfgs": ("rosenbrock", "bfgs", {}, None),
    "nelder_mead": ("himmelblau", "nelder_mead", {}, None),
    "gd in 1D": ("quadratic", "gd", {"lr": 0.1}, [8.0]),
    "momentum on a typed formula": ({"expression": "x^2 + 3*y^2 - x*y"}, "momentum", {"lr": 0.05}, None),
    "sign_gd": ("booth", "sign_gd", {}, None),
    "gd blowing up": ("rosenbrock", "gd", {"lr": 0.5}, None),
}


def _run(name: str, steps: int = 30) -> Run:
    function, optimizer, hp, start = RUNS[name]
    return replay(build_config(function, optimizer, hp, start=start, max_steps=steps), steps)


def _subsets() -> list[tuple[str, ...]]:
    return [fields for r in range(1, len(FIELDS) + 1) for fields in itertools.combinations(FIELDS, r)]


@pytest.mark.parametrize("name", RUNS)
def test_every_field_and_layout_writes_the_bytes_of_the_frames(name: str) -> None:
    run = _run(name)
    frames = list(run.frames)  # the frames the run reports, one dict each
    assert len(frames) > 1
    for fields in _subsets():
        for since in (0, 1) if fields != FIELDS else (0, 1, len(frames) - 1, len(frames)):
            shown = frames[since:]
            rows = [{field: frame[field] for field in fields} for frame in shown]
            columns = {field: [frame[field] for frame in shown] for field in fields}
            assert rows_json(run.history, fields, since) == orjson.dumps(rows), (fields, since)
            assert columns_json(run.history, fields, since) == orjson.dumps(columns), (fields, since)


def test_numbers_that_json_cannot_carry_are_written_as_null_in_every_shape() -> None:
    history = History(2)
    history.append([1.0, 2.0], math.nan, [math.inf, 1.0], None, None, (1, 1, 0), {"v": [0.5, 0.5]})
    history.append([1.0, -0.0], 3.0, [0.5, 1.0], math.inf, 1e-300, (1, 2, 0), {"v": np.array([math.nan, 2.0])})
    history.append([1e308, 2.0], 3.0, [0.5, 1.0], 1.1, 0.1, (2, 3, 0), {"v": [1.0, 2.0]})
    frames = list(history.frames)
    assert frames[0]["loss"] is None and frames[1]["extras"]["v"] == [None, 2.0]
    assert rows_json(history, FIELDS) == orjson.dumps(frames)
    assert columns_json(history, FIELDS) == orjson.dumps({f: [frame[f] for frame in frames] for f in FIELDS})
    assert b"NaN" not in rows_json(history, FIELDS) and b"Infinity" not in rows_json(history, FIELDS)


def test_a_key_that_needs_escaping_is_written_as_orjson_writes_it() -> None:
    history = History(1)
    for k in range(3):
        history.append([float(k)], 1.0, [0.5], 0.5, 0.1, (k, k, 0), {'100% "sure"\n': [0.25], "s": 2.0})
    frames = list(history.frames)
    assert rows_json(history, ("step", "extras")) == orjson.dumps(
        [{"step": f["step"], "extras": f["extras"]} for f in frames]
    )


def test_the_answers_over_http_are_the_frames_the_run_reports(client: TestClient) -> None:
    body = {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 0.01}, "steps": 40}
    plain = {"accept-encoding": "identity"}
    whole = client.post("/api/v1/optimize", json=body, headers=plain)
    run = replay(build_config("rosenbrock", "adam", {"lr": 0.01}, max_steps=40), 40)
    frames = list(run.frames)
    assert whole.content.count(orjson.dumps(frames)) == 1
    for query, frames_json in (
        (
            "fields=params,loss&layout=columns",
            orjson.dumps({"params": [f["params"] for f in frames], "loss": [f["loss"] for f in frames]}),
        ),
        ("fields=extras,step", orjson.dumps([{"step": f["step"], "extras": f["extras"]} for f in frames])),
    ):
        answer = client.post(f"/api/v1/optimize?{query}", json=body, headers=plain)
        assert answer.content == whole.content.replace(orjson.dumps(frames), frames_json), query
    kept = client.post("/api/v1/runs", json={k: v for k, v in body.items() if k != "steps"}, headers=plain).json()
    stepped = client.post(f"/api/v1/runs/{kept['id']}/step", json={"n": 5}, headers=plain)
    assert orjson.dumps(frames[1:6]) in stepped.content
    later = client.get(f"/api/v1/runs/{kept['id']}?since=2&fields=step,grad&layout=columns", headers=plain)
    assert orjson.dumps({"step": [2, 3, 4, 5], "grad": [f["grad"] for f in frames[2:6]]}) in later.content


def test_the_collector_comes_back_after_overlapping_pauses_and_stays_off_if_it_was() -> None:
    assert gc.isenabled()
    first, second = threading.Event(), threading.Event()

    def hold() -> None:
        with collector_paused():
            first.set()
            second.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    first.wait(5)
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other request still builds its answer
    second.set()
    holder.join(5)
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_extras_that_come_and_go_read_back_as_they_went_in_and_encode_the_same() -> None:
    # An extra first seen late widens every row; one that changes shape is kept beside the columns.
    history = History(2)
    given = []
    for k in range(60):
        extras: dict = {"a": [float(k), -1.0]}
        if k >= 20:
            extras["b"] = 0.5 * k
        if k >= 40:
            extras = {"b": [1.0, 2.0] if k % 2 else None, "c": np.array([[1.0, k], [2.0, 3.0]])}
        if k == 55:
            extras = {}
        history.append([1.0, float(k)], float(k), [0.5, 0.25], 0.1, 0.01, (k, k, 0), extras)
        plain = {key: value.tolist() if isinstance(value, np.ndarray) else value for key, value in extras.items()}
        given.append(plain)
    frames = list(history.frames)
    assert [frame["extras"] for frame in frames] == given
    assert [history.frame(k)["extras"] for k in range(60)] == given
    assert [frame["params"] for frame in frames] == [[1.0, float(k)] for k in range(60)]
    for since in (0, 19, 20, 41, 55, 59):
        shown = frames[since:]
        assert rows_json(history, FIELDS, since) == orjson.dumps(shown)
        assert columns_json(history, ("step", "extras"), since) == orjson.dumps(
            {"step": [f["step"] for f in shown], "extras": [f["extras"] for f in shown]}
        )

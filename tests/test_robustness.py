"""The server cannot be broken by extreme but well-formed requests: every optimizer on every function at
every learning rate, typed formulas with edges and overflows, rude websocket clients, slow readers.

Every answer must be valid JSON (JSON has no NaN or Infinity, so the raw text is parsed by a parser that
refuses them), every run must end with a known status, and a run that diverges must say why.
"""

from __future__ import annotations

import asyncio
import json
import math

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.api.live import MAX_PENDING_FRAMES_PER_RUN, Outbox
from app.objectives import CATALOGUE
from app.optimizers.catalogue import OPTIMIZERS
from app.runs.run import RUNAWAY_PARAMS
from app.settings import Settings

LEARNING_RATES = [1e-6, 1e-3, 1.0, 1e3, 1e6]
STATUSES = {"converged", "stalled", "diverged", "max_steps"}
# Typed formulas with edges, poles, kinks, overflows and flat stretches, 1D and 2D.
FORMULAS = [
    "log(x)",
    "sqrt(x) + y^2",
    "1/x + x^2",
    "x^x",
    "exp(x^2)",
    "abs(x) + abs(y)",
    "tan(x)*y",
    "x^2 + 3*sin(y)",
    "tanh(10*x) + atan(y)",
    "(1-x)^2 + 100*(y-x^2)^2",
    "x^64",
    "sinh(x)*cosh(y)",
]
FUNCTIONS = [*CATALOGUE, *({"expression": f} for f in FORMULAS)]


def strict_json(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in a JSON answer")

    return json.loads(text, parse_constant=refuse)


def lr_range(optimizer_id: str) -> tuple[float, float] | None:
    spec = next((h for h in OPTIMIZERS[optimizer_id].hyperparameters if h.name == "lr"), None)
    return None if spec is None else (spec.minimum, spec.maximum)


def cases() -> list[tuple[str, float | None]]:
    out: list[tuple[str, float | None]] = []
    for optimizer_id in OPTIMIZERS:
        allowed = lr_range(optimizer_id)
        if allowed is None:
            out.append((optimizer_id, None))
        else:
            out += [(optimizer_id, lr) for lr in LEARNING_RATES if allowed[0] <= lr <= allowed[1]]
    return out


def assert_sensible(result: dict, steps: int, what: object) -> None:
    assert result["status"] in STATUSES, what
    frames = result["frames"]
    assert frames[0]["step"] == 0 and [f["step"] for f in frames] == list(range(len(frames))), what
    assert len(frames) <= steps + 1, what
    last = frames[-1]["params"]
    assert all(v is not None and abs(v) <= RUNAWAY_PARAMS for v in last), what  # the last point kept is finite
    if result["status"] == "diverged":
        assert len(result["message"]) > 30, what
    for frame in frames[1:]:
        assert frame["loss"] is not None and all(g is not None for g in frame["grad"]), what


@pytest.mark.parametrize(("optimizer", "lr"), cases(), ids=lambda v: str(v))
def test_every_optimizer_on_every_function_at_every_rate(client: TestClient, optimizer: str, lr: float | None) -> None:
    for function in FUNCTIONS:
        body = {"function": function, "optimizer": optimizer, "steps": 30}
        if lr is not None:
            body["hyperparameters"] = {"lr": lr}
        answer = client.post("/api/v1/optimize", json=body)
        assert answer.status_code == 200, (function, answer.text[:300])
        assert_sensible(strict_json(answer.text), 30, (function, optimizer, lr))


def test_rates_outside_an_optimizers_range_are_refused_with_the_range(client: TestClient) -> None:
    for optimizer_id in OPTIMIZERS:
        allowed = lr_range(optimizer_id)
        for lr in LEARNING_RATES if allowed else ():
            if not allowed[0] <= lr <= allowed[1]:
                body = {"function": {"expression": "x^2"}, "optimizer": optimizer_id, "hyperparameters": {"lr": lr}}
                answer = client.post("/api/v1/optimize", json=body)
                assert answer.status_code == 422 and "outside its range" in answer.json()["detail"]


@pytest.mark.parametrize("function", [*FORMULAS, "rosenbrock"])
def test_surfaces_are_strict_json_with_gaps_as_null(client: TestClient, function: str) -> None:
    params = {"function": function} if function in CATALOGUE else {"expression": function}
    for bounds in ({}, {"x_min": -1e6, "x_max": 1e6, "y_min": -1e6, "y_max": 1e6}):
        answer = client.get("/api/v1/surface", params={**params, **bounds, "resolution": 40})
        assert answer.status_code == 200, answer.text[:200]
        surface = strict_json(answer.text)
        values = [v for row in surface["z"] for v in (row if isinstance(row, list) else [row])]
        assert all(v is None or math.isfinite(v) for v in values)


@pytest.mark.parametrize("text", ["x", "y", "x + y - y", "3*x"])
def test_surfaces_of_formulas_that_are_their_own_input(client: TestClient, text: str) -> None:
    """f = x hands back a view of the grid itself: the surface must still be plain JSON."""
    answer = client.get("/api/v1/surface", params={"expression": text, "resolution": 4})
    assert answer.status_code == 200 and len(answer.json()["x"]) == 4


def test_step_by_step_runs_stay_sensible_at_the_limits(client: TestClient) -> None:
    limits = Settings()
    run = client.post(
        "/api/v1/runs",
        json={"function": {"expression": "exp(x^2) + y"}, "optimizer": "adam", "hyperparameters": {"lr": 1000}},
    ).json()
    for _ in range(3):
        answer = client.post(f"/api/v1/runs/{run['id']}/step", json={"n": limits.max_steps_per_request})
        assert answer.status_code == 200
        strict_json(answer.text)
    final = client.get(f"/api/v1/runs/{run['id']}").json()
    assert final["status"] in STATUSES and final["step"] <= limits.max_steps_per_run


# ----- websocket: rude clients ----------------------------------------------------------------------------------

SEEDS = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "start": [8]}


def expect_error(ws, fragment: str = "") -> None:
    message = ws.receive_json()
    assert message["type"] == "error" and fragment in message["message"], message


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"\xff\xfe\x00 not utf-8", "not valid JSON"),
        ("[" * 5_000 + "]" * 5_000, "not valid JSON"),  # deeper than the JSON parser goes
        ('{"type": "step", "n": 123456789012345678901234567890}', ""),
        ('{"type": "start", "runs": [{"function": "quadratic", "optimizer": "gd", "start": [NaN]}]}', "not valid JSON"),
        ('"play"', '"type"'),
        ("null", '"type"'),
        ("12", '"type"'),
        ('{"type": 7}', '"type"'),
        ('{"type": "__class__"}', "Unknown message type"),
        ('{"type": "_on_start"}', "Unknown message type"),
        ('{"type": "start", "runs": "quadratic"}', "runs"),
        ('{"type": "start", "runs": [{"function": {"expression": "x^2"}, "optimizer": "gd", "evil": 1}]}', "evil"),
    ],
)
def test_malformed_messages_get_an_error_and_the_connection_stays(client: TestClient, raw, fragment: str) -> None:
    with client.websocket_connect("/ws") as ws:
        if isinstance(raw, bytes):
            ws.send_bytes(raw)
        else:
            ws.send_text(raw)
        expect_error(ws, fragment)
        ws.send_json({"type": "start", "runs": [SEEDS]})
        assert ws.receive_json()["type"] == "started"


def test_limits_of_a_started_race(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [SEEDS]})
        while ws.receive_json()["type"] != "frame":
            pass
        for message, fragment in [
            ({"type": "step", "n": 501}, "between 1 and 500"),
            ({"type": "play", "fps": 0}, "fps"),
            ({"type": "seek", "step": 10**9}, "step"),
            ({"type": "back", "n": -1}, "n"),
            ({"type": "update", "hyperparameters": {"lr": float("1e308")}}, "lr"),
            ({"type": "update", "start": [1e300]}, "1e6"),
        ]:
            ws.send_json(message)
            expect_error(ws, fragment)


def test_a_flood_of_formula_races_is_cut_off(client: TestClient) -> None:
    """Each start compiles a formula (cached after the first); past the rate limit the server says so and
    then closes the connection with a policy violation."""
    race = {"type": "start", "runs": [{"function": {"expression": "x^2 + 3*sin(y)"}, "optimizer": "newton"}]}
    with client.websocket_connect("/ws") as ws, pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(400):
            ws.send_json(race)
        kinds = set()
        for _ in range(10_000):
            kinds.add(ws.receive_json()["type"])
    assert closed.value.code == 1008 and {"started", "error"} <= kinds


def live_tasks(client: TestClient) -> int:
    async def count() -> int:
        return len([t for t in asyncio.all_tasks() if t.get_coro().__name__ in ("_sender", "_player")])

    return client.portal.call(count)


def wait_for_no_tasks(client: TestClient) -> None:
    for _ in range(300):
        if live_tasks(client) == 0:
            return
        client.portal.call(asyncio.sleep, 0.01)
    assert live_tasks(client) == 0


@pytest.mark.parametrize("leave", ["before sending anything", "mid step", "mid play with a formula"])
def test_a_client_that_goes_away_leaves_no_task_behind(client: TestClient, leave: str) -> None:
    race = [
        {"function": {"expression": "(1-x)^2 + 100*(y-x^2)^2"}, "optimizer": name, "hyperparameters": {"lr": 1e-4}}
        for name in ("gd", "momentum", "adam", "rmsprop", "nesterov", "adagrad", "rprop", "sign_gd")
    ]
    with client.websocket_connect("/ws") as ws:
        if leave == "mid step":
            ws.send_json({"type": "start", "runs": race, "max_steps": 20_000, "batch": True})
            ws.send_json({"type": "step", "n": 500})
        elif leave == "mid play with a formula":
            ws.send_json({"type": "start", "runs": race, "max_steps": 20_000})
            ws.send_json({"type": "play", "fps": 120, "skip": 100})
            while ws.receive_json()["type"] != "playback":
                pass
    wait_for_no_tasks(client)


# ----- a client that never reads ---------------------------------------------------------------------------------


def test_the_outbox_of_a_client_that_never_reads_keeps_only_the_newest_frames() -> None:
    async def fill() -> Outbox:
        outbox = Outbox()
        for step in range(20_000):  # an 8-run race playing for minutes into a socket nobody reads
            outbox.put([{"type": "frame", "run": run, "step": step} for run in range(8)], runs=8)
            if step % 1000 == 0:
                outbox.put([{"type": "status", "run": 0, "status": "running", "message": ""}], runs=8)
        return outbox

    outbox = asyncio.run(fill())
    cap = MAX_PENDING_FRAMES_PER_RUN * 8
    assert outbox.frame_count == cap
    assert len(outbox.items) == cap + 20  # the frames within the cap, and every status
    sent = outbox.take()
    frames = [m for m in sent if m["type"] == "frame"]
    assert frames[-1]["step"] == 19_999 and frames[0]["step"] == 20_000 - cap // 8
    assert outbox.items == deque_empty() and outbox.frame_count == 0


def deque_empty():
    from collections import deque

    return deque()


def test_the_outbox_of_a_client_that_never_reads_is_bounded_for_every_kind_of_message() -> None:
    async def fill() -> Outbox:
        outbox = Outbox()
        for _ in range(100_000):  # a pause or a bad message, answered, 50 times a second for half an hour
            outbox.put([{"type": "playback", "playing": False, "fps": 30, "skip": 1, "step": 0}], runs=1)
            outbox.put([{"type": "error", "message": "Too many messages: at most 50 a second."}], runs=1)
        return outbox

    outbox = asyncio.run(fill())
    assert len(outbox.items) <= 10_000

"""Hostile clients against a real server: no one client can stall, starve or bloat it.

Each attack here once froze the event loop, held the worker pool, or grew memory without bound. The
server runs under uvicorn on 127.0.0.1 in a thread; attackers and bystanders are real HTTP and websocket
clients. Availability is checked with a generous bound (a bystander is answered within 1.5 s while the
attack runs, where it used to wait 4 to 37 seconds); memory is checked by the bytes the store and
sessions count, and that count is checked against what Python actually allocates.
"""

from __future__ import annotations

import contextlib
import json
import time
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.sync.client import ClientConnection, connect

from app.live.session import Ledger, LiveSession, SessionError
from app.main import create_app
from app.nn.run import NetworkConfig, NetworkRun
from app.runs import cost
from app.runs.factory import build_config
from app.runs.run import Run
from app.runs.store import RunNotFound, RunStore, StoreFull
from app.settings import Settings
from tests.serving import serving

BOUND = 1.5  # seconds a bystander may wait while an attack runs (it used to wait 4 to 37)
HEAVY = {"dataset": "circles", "points": 1000, "test_share": 0, "hidden": [16] * 6}  # allowed, but costly
EPOCH_ONLINE = {**HEAVY, "batch": 1, "unit": "epoch"}  # one step is a thousand updates
ROSENBROCK = {"function": "rosenbrock", "optimizer": "gd", "hyperparameters": {"lr": 1e-6}}


@contextlib.contextmanager
def _serve(settings: Settings) -> Iterator[str]:
    with serving(settings, "hillside-abuse-server") as port:
        yield f"127.0.0.1:{port}"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with _serve(Settings()) as address:
        yield address


def _open(address: str) -> ClientConnection:
    return connect(f"ws://{address}/ws", open_timeout=10, max_size=None)


def _until(ws: ClientConnection, kind: str, timeout: float = 10.0) -> dict:
    """Read messages until one of ``kind`` (or an error) arrives; fail past ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        if message["type"] in (kind, "error"):
            return message


def _networks(network: dict, runs: int = 8, max_steps: int = 5000) -> dict:
    spec = {"network": network, "optimizer": "adam", "hyperparameters": {"lr": 1e-6}}
    return {"type": "start", "batch": True, "max_steps": max_steps, "runs": [spec] * runs}


def _bystander_latencies(address: str, seconds: float) -> list[float]:
    """GET /api/v1/functions again and again for ``seconds``; each answer's time (a timeout counts as 30 s)."""
    latencies = []
    with httpx.Client(base_url=f"http://{address}", timeout=5.0) as http:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            began = time.monotonic()
            try:
                assert http.get("/api/v1/functions").status_code == 200
                latencies.append(time.monotonic() - began)
            except httpx.TimeoutException:
                latencies.append(30.0)
            time.sleep(0.05)
    return latencies


def _bystander_race_latency(address: str) -> float:
    """Seconds from a bystander's start to its first frames of a small race, on its own connection."""
    with _open(address) as ws:
        began = time.monotonic()
        ws.send(json.dumps({"type": "start", "runs": [{"function": "bowl", "optimizer": "gd"}]}))
        started = _until(ws, "started", timeout=30)
        assert started["type"] == "started", started
        ws.send(json.dumps({"type": "step", "n": 5}))
        frame = _until(ws, "frame", timeout=30)
        assert frame["type"] == "frame", frame
        return time.monotonic() - began


# ----- the event loop only moves bytes ---------------------------------------------------------------------------


def test_a_heavy_network_race_played_fast_leaves_everyone_else_answered(server: str) -> None:
    """Eight costly networks at 120 fps and 100 steps a frame: a tick is seconds of work, never on the loop."""
    with _open(server) as attacker:
        attacker.send(json.dumps(_networks({**HEAVY, "batch": 0, "unit": "update"})))
        assert _until(attacker, "started", timeout=30)["type"] == "started"
        attacker.send(json.dumps({"type": "play", "fps": 120, "skip": 100}))
        time.sleep(0.3)
        latencies = _bystander_latencies(server, 2.5)
        race = _bystander_race_latency(server)
    assert max(latencies) < BOUND, f"GET /api/v1/functions took up to {max(latencies):.2f} s"
    assert race < BOUND, f"a bystander's race took {race:.2f} s to start and step"


def test_a_player_that_cannot_keep_up_plays_slower_and_says_so(server: str) -> None:
    """Eight Rosenbrock runs at 120 fps, 100 steps a frame: 96,000 steps a second cannot be kept."""
    start = {"type": "start", "batch": True, "max_steps": 20_000, "runs": [ROSENBROCK] * 8}
    with _open(server) as attacker:
        attacker.send(json.dumps(start))
        assert _until(attacker, "started")["type"] == "started"
        attacker.send(json.dumps({"type": "play", "fps": 120, "skip": 100}))
        latencies = _bystander_latencies(server, 1.5)
        notice = _until(attacker, "notice", timeout=20)
        assert notice["type"] == "notice", notice
        slowed = notice["values"]
    assert max(latencies) < BOUND, f"GET /api/v1/functions took up to {max(latencies):.2f} s"
    assert notice["key"] == "live.slowed" and slowed["asked"] == "12000"
    assert float(slowed["steps"]) < 12_000 and slowed["steps"] in notice["message"]


def test_a_slowed_player_tries_the_asked_rate_again_and_says_so_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A passing overload must not slow a race for good; a lasting one slows it again without a second notice."""
    import app.api.live as live_api

    monkeypatch.setattr(live_api, "RECOVER_AFTER_SECONDS", 0.3)
    start = {"type": "start", "batch": True, "max_steps": 20_000, "runs": [ROSENBROCK] * 8}
    with _serve(Settings()) as address, _open(address) as player:
        player.send(json.dumps(start))
        assert _until(player, "started")["type"] == "started"
        player.send(json.dumps({"type": "play", "fps": 120, "skip": 100}))
        playbacks, notices = [], []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _slowed_again(playbacks):
            message = json.loads(player.recv(timeout=max(deadline - time.monotonic(), 0.01)))
            assert message["type"] != "error", message
            if message["type"] == "playback":
                playbacks.append(message)
            elif message["type"] == "notice":
                notices.append(message)
    rates = [(p["fps"], p["skip"], p.get("slowed")) for p in playbacks]
    assert rates[0] == (120, 100, None)  # the answer to play
    assert rates[1][2] is True and rates[1][0] * rates[1][1] < 12_000  # slowed
    back = rates.index((120, 100, False))  # back to the asked rate...
    assert any(rate[2] is True for rate in rates[back:]), rates  # ...which cannot be kept: slowed again
    assert [n["key"] for n in notices] == ["live.slowed"]  # and told once


def _slowed_again(playbacks: list[dict]) -> bool:
    """A playback slowed after one that went back to the asked rate."""
    restored = [i for i, p in enumerate(playbacks) if p.get("slowed") is False]
    return bool(restored) and any(p.get("slowed") for p in playbacks[restored[0] :])


def test_a_long_seek_on_six_connections_does_not_delay_a_seventh_start(server: str) -> None:
    """Six clients each seek a 20,000-step race of eight runs; a seventh still starts at once."""
    start = {"type": "start", "batch": True, "max_steps": 20_000, "runs": [ROSENBROCK] * 8}
    attackers = [_open(server) for _ in range(6)]
    try:
        for ws in attackers:
            ws.send(json.dumps(start))
            assert _until(ws, "started")["type"] == "started"
        for ws in attackers:
            ws.send(json.dumps({"type": "seek", "step": 20_000}))
        time.sleep(0.5)
        race = _bystander_race_latency(server)
        latencies = _bystander_latencies(server, 1.0)
    finally:
        for ws in attackers:
            ws.close()
    assert race < BOUND, f"the seventh client's start and step took {race:.2f} s"
    assert max(latencies) < BOUND


# ----- work is budgeted by cost ---------------------------------------------------------------------------------


def test_a_network_whose_single_step_is_too_costly_is_refused_with_what_to_change(server: str) -> None:
    with _open(server) as ws:
        ws.send(json.dumps(_networks(EPOCH_ONLINE, max_steps=100)))
        refused = _until(ws, "started")
    assert refused["type"] == "error" and 'unit "update"' in refused["message"]
    body = {"network": EPOCH_ONLINE, "optimizer": "adam", "hyperparameters": {"lr": 1e-6}}
    created = httpx.post(f"http://{server}/api/v1/network/runs", json=body, timeout=10)
    assert created.status_code == 422 and "a larger batch" in created.json()["detail"]


def test_a_rest_step_past_the_work_budget_is_refused_with_the_n_that_fits(server: str) -> None:
    body = {"network": {**HEAVY, "batch": 0}, "optimizer": "adam", "hyperparameters": {"lr": 1e-6}, "max_steps": 5000}
    with httpx.Client(base_url=f"http://{server}", timeout=10) as http:
        run_id = http.post("/api/v1/network/runs", json=body).json()["id"]
        began = time.monotonic()
        refused = http.post(f"/api/v1/network/runs/{run_id}/step", json={"n": 5000})
        assert time.monotonic() - began < BOUND  # refused before any of the work
        assert refused.status_code == 422
        detail = refused.json()["detail"]
        most = int(detail.rsplit("ask for n <= ", 1)[1].split(",")[0])
        assert 1 <= most < 5000
        limits = http.get("/api/v1/limits").json()
        assert (
            most * cost.network_cost.step_cost((2, *[16] * 6, 1), 1000, 0, 0, "update")
            <= (limits["work"]["per_request"])
        )
        allowed = http.post(f"/api/v1/network/runs/{run_id}/step", json={"n": min(most, 50)})
        assert allowed.status_code == 200 and allowed.json()["step"] == min(most, 50)


def test_a_landscape_past_the_work_budget_is_refused_with_the_resolution_that_fits(server: str) -> None:
    """A loss landscape is one forward pass per grid point: 81x81 of a deep network on 1,000 points took minutes."""
    body = {"network": {**HEAVY, "batch": 0}, "optimizer": "adam", "hyperparameters": {"lr": 1e-6}}
    with httpx.Client(base_url=f"http://{server}", timeout=30) as http:
        run_id = http.post("/api/v1/network/runs", json=body).json()["id"]
        began = time.monotonic()
        refused = http.get(f"/api/v1/network/runs/{run_id}/landscape", params={"resolution": 81})
        assert time.monotonic() - began < BOUND  # refused before any of the work
        assert refused.status_code == 422
        most = int(refused.json()["detail"].rsplit("resolution <= ", 1)[1].rstrip(". "))
        assert 5 <= most < 81
        allowed = http.get(f"/api/v1/network/runs/{run_id}/landscape", params={"resolution": 5})
        assert allowed.status_code == 200
        # The same budget holds for a landscape of a config replayed on the spot.
        stateless = http.post("/api/v1/network/landscape", json={"run": body, "step": 1, "resolution": 61})
        assert stateless.status_code == 422 and "resolution <=" in stateless.json()["detail"]


def test_a_websocket_seek_past_its_budget_is_refused_at_once_with_the_step_to_ask_for(server: str) -> None:
    with _open(server) as ws:
        ws.send(json.dumps(_networks({**HEAVY, "batch": 0})))
        assert _until(ws, "started", timeout=30)["type"] == "started"
        began = time.monotonic()
        ws.send(json.dumps({"type": "seek", "step": 5000}))
        refused = _until(ws, "cursor", timeout=10)
        assert time.monotonic() - began < BOUND
    assert refused["type"] == "error" and "go to step" in refused["message"]


def test_the_limits_list_networks_work_and_memory(server: str) -> None:
    limits = httpx.get(f"http://{server}/api/v1/limits", timeout=10).json()
    settings = Settings()
    assert limits["network"]["points"] == 1000 and limits["network"]["layers"] == 6
    assert limits["work"]["per_request"] == settings.max_work_per_request
    assert limits["memory"]["stored_bytes"] == settings.max_stored_bytes
    assert limits["memory"]["protected_seconds"] == settings.run_protected_seconds


# ----- memory has a budget in bytes -----------------------------------------------------------------------------


def _allocated(make, steps: int) -> tuple[int, object]:
    """Bytes Python allocates for ``steps`` more steps of a fresh run (made and warmed outside the count)."""
    run = make()
    run.advance(2)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run.advance(steps)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, run


@pytest.mark.parametrize(
    "make",
    [
        lambda: NetworkRun(NetworkConfig(**{**HEAVY, "hidden": (16,) * 6}, max_steps=500)),
        lambda: NetworkRun(NetworkConfig(dataset="xor", hidden=(4,), max_steps=500)),
        lambda: Run(build_config("rosenbrock", "adam", {"lr": 1e-4}, max_steps=500)),
        lambda: Run(build_config({"expression": "x^2 + 3*y^2"}, "nelder_mead", {}, max_steps=500)),
    ],
    ids=["network-6x16", "network-4", "rosenbrock-adam", "formula-nelder-mead"],
)
def test_the_bytes_counted_per_frame_are_what_python_allocates(make) -> None:
    steps = 60
    allocated, run = _allocated(make, steps)
    counted = steps * cost.frame_bytes(run)
    assert 0.7 * allocated <= counted <= 1.5 * allocated, (counted, allocated)


def test_the_store_keeps_its_bytes_within_budget_and_says_why_a_run_went() -> None:
    budget = 2_000_000  # a 6x16 network holds about 13 KB a step
    store = RunStore(max_runs=100, idle_seconds=3600, max_bytes=budget)
    ids = []
    for seed in range(5):
        config = NetworkConfig(dataset="xor", points=40, hidden=(16,) * 6, seed=seed, max_steps=5000)
        run = NetworkRun(config)
        run_id = store.add(run, owner="attacker")
        store.reserve(run_id, 50)
        run.advance(50)
        ids.append(run_id)
        assert store.held_bytes() <= budget
    with pytest.raises(RunNotFound, match="MB in all"):
        store.get(ids[0])
    assert store.get(ids[-1]).step == 50


def test_another_clients_young_runs_are_never_evicted_for_a_flood_of_creations() -> None:
    app = create_app(Settings(max_live_runs=5, run_protected_seconds=60))
    bystander = TestClient(app, client=("10.0.0.1", 50000))
    attacker = TestClient(app, client=("10.0.0.2", 50000))
    mine = bystander.post("/api/v1/runs", json={"function": "bowl", "optimizer": "gd"}).json()["id"]
    for _ in range(30):  # the attacker's own runs make room for its new ones
        assert attacker.post("/api/v1/runs", json={"function": "bowl", "optimizer": "gd"}).status_code == 201
    assert bystander.get(f"/api/v1/runs/{mine}").status_code == 200
    # Now the store holds the bystander's run and the attacker's four young ones: a third client waits.
    third = TestClient(app, client=("10.0.0.3", 50000))
    refused = third.post("/api/v1/runs", json={"function": "bowl", "optimizer": "gd"})
    assert refused.status_code == 503
    assert 1 <= int(refused.headers["Retry-After"]) <= 60 and "Try again in" in refused.json()["detail"]


def test_a_store_whose_runs_are_all_young_refuses_rather_than_evicts() -> None:
    now = [0.0]
    store = RunStore(max_runs=2, idle_seconds=3600, clock=lambda: now[0], protected_seconds=120)
    first = store.add(Run(build_config("bowl", "gd", {})), owner="a")
    store.add(Run(build_config("bowl", "gd", {})), owner="b")
    now[0] = 30.0
    with pytest.raises(StoreFull) as full:
        store.add(Run(build_config("bowl", "gd", {})), owner="c")
    assert full.value.retry_after == 90
    now[0] = 121.0
    store.add(Run(build_config("bowl", "gd", {})), owner="c")  # the oldest is past its protection now
    with pytest.raises(RunNotFound, match="at most 2 runs"):
        store.get(first)


def test_a_session_holds_no_more_bytes_than_its_budget() -> None:
    network = {"network": {**HEAVY, "points": 100, "batch": 0}, "optimizer": "adam"}
    session = LiveSession(Settings(max_session_bytes=3_000_000))
    session.handle({"type": "start", "max_steps": 5000, "runs": [network] * 2})
    with pytest.raises(SessionError, match="stay at step"):
        session.handle({"type": "seek", "step": 400})
    session.handle({"type": "play", "fps": 30, "skip": 20})
    paused = []
    while session.playing:
        paused = session.tick()
    assert any(m["type"] == "error" and "one connection may hold" in m["message"] for m in paused)
    assert 0 < session.bytes() <= 3_000_000


def test_all_connections_together_hold_no_more_than_the_live_budget() -> None:
    network = {"network": {**HEAVY, "points": 100, "batch": 0}, "optimizer": "adam"}
    settings = Settings(max_live_bytes=4_000_000)
    ledger = Ledger()
    first, second = LiveSession(settings, ledger), LiveSession(settings, ledger)
    for session in (first, second):
        session.handle({"type": "start", "max_steps": 5000, "runs": [network] * 2})
    first.handle({"type": "seek", "step": 120})  # about 3.1 MB
    with pytest.raises(SessionError, match="other live races"):
        second.handle({"type": "seek", "step": 60})
    first.handle({"type": "stop"})  # what a race gives up is free for the others at once
    second.handle({"type": "seek", "step": 60})
    assert ledger.total() == second.bytes() <= settings.max_live_bytes


# ----- a message is what it says ---------------------------------------------------------------------------------


def test_the_message_cap_counts_bytes_not_characters(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "pause", "note": "\U0001f600" * 20_000}, ensure_ascii=False))
        reply = ws.receive_json()
    assert reply["type"] == "error" and "too large" in reply["message"]


@pytest.mark.parametrize("value", [True, "0.1", None, [0.1]])
def test_update_refuses_what_rest_refuses(client: TestClient, value: object) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [{"function": "bowl", "optimizer": "gd"}]})
        assert ws.receive_json()["type"] == "started"
        ws.receive_json()  # frame 0
        ws.send_json({"type": "update", "hyperparameters": {"lr": value}})
        reply = ws.receive_json()
    assert reply["type"] == "error" and "lr must be a number" in reply["message"]
    rest = client.post(
        "/api/v1/optimize", json={"function": "bowl", "optimizer": "gd", "hyperparameters": {"lr": value}}
    )
    assert rest.status_code == 422

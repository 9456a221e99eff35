"""A class playing the same race: connections with the same runs share their computation, and none of them
can tell (the frames, statuses and branches each sees are its own race's, whoever computed them)."""

from __future__ import annotations

import threading

import orjson
import pytest
from fastapi.testclient import TestClient

from app.compute import advance_sliced, drain
from app.live.session import Ledger, LiveSession
from app.live.shared_runs import SharedRuns, encode
from app.main import create_app
from app.runs import cost
from app.settings import Settings

RACE = [
    {"function": "rosenbrock", "optimizer": "gd", "hyperparameters": {"lr": 1e-4}},
    {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 1e-3}},
]
DIVERGES = [{"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 1.2}, "start": [8]}]


def session(registry: SharedRuns, ledger: Ledger | None = None, runs: list[dict] = RACE) -> LiveSession:
    live = LiveSession(Settings(), ledger or Ledger(), registry)
    live.handle({"type": "start", "runs": runs, "batch": True, "max_steps": 5000})
    return live


def frames_of(messages: list[dict]) -> list[dict]:
    return [dict(frame) for message in messages if message["type"] == "frames" for frame in message["frames"]]


def alone(runs: list[dict], steps: int) -> list[dict]:
    """The frames of a race that no other connection plays, step by step."""
    live = session(SharedRuns(), runs=runs)
    return frames_of([m for _ in range(steps) for m in live.handle({"type": "step"})])


def test_connections_playing_the_same_race_hold_the_same_runs_and_see_their_own_race() -> None:
    registry = SharedRuns()
    first, second = session(registry), session(registry)
    assert len(registry) == 2 and all(a is b for a, b in zip(first.runs, second.runs, strict=True))
    ahead = frames_of(first.handle({"type": "step", "n": 40}))
    behind = frames_of([m for _ in range(40) for m in second.handle({"type": "step"})])
    assert behind == ahead == alone(RACE, 40)  # the second computed nothing, and sees what it would have
    assert second.runs[0].step == 40


def test_a_branch_is_a_connections_own_and_the_others_race_goes_on_unchanged() -> None:
    registry = SharedRuns()
    first, second = session(registry), session(registry)
    first.handle({"type": "step", "n": 10})
    first.handle({"type": "update", "run": 0, "hyperparameters": {"lr": 5e-4}})
    assert first.runs[0] is not second.runs[0] and first.runs[1] is second.runs[1]
    assert frames_of(second.handle({"type": "step", "n": 20})) == alone(RACE, 20)
    assert first.runs[0].config.hyperparameters_at(15)["lr"] == 5e-4


def test_the_last_connection_to_leave_takes_the_runs_with_it() -> None:
    registry = SharedRuns()
    first, second = session(registry), session(registry)
    first.close()
    assert len(registry) == 2
    second.handle({"type": "stop"})
    assert len(registry) == 0


def test_the_same_run_twice_in_one_race_is_two_runs() -> None:
    registry = SharedRuns()
    live = session(registry, runs=[RACE[0], RACE[0]])
    assert live.runs[0] is not live.runs[1]
    frames = frames_of(live.handle({"type": "step", "n": 5}))
    assert [f["step"] for f in frames] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # each advanced once a step, not twice


def test_a_shared_run_is_counted_once_in_what_the_server_holds() -> None:
    registry, ledger = SharedRuns(), Ledger()
    sessions = [session(registry, ledger) for _ in range(4)]
    sessions[0].handle({"type": "seek", "step": 3000})
    for live in sessions[1:]:
        live.handle({"type": "seek", "step": 3000})
    held = sum(cost.run_bytes(run) for run in sessions[0].runs)
    assert ledger.total() == pytest.approx(held, rel=0.01)  # not four times as much


def test_a_status_reaches_every_connection_when_its_cursor_gets_there() -> None:
    registry = SharedRuns()
    first, second = session(registry, runs=DIVERGES), session(registry, runs=DIVERGES)
    ended = [m for m in first.handle({"type": "step", "n": 500}) if m["type"] == "status"]
    assert ended and ended[0]["status"] == "diverged"
    later = [m for _ in range(500) for m in second.handle({"type": "step"}) if m["type"] == "status"]
    assert later == ended
    back = [m for m in second.handle({"type": "seek", "step": 1}) if m["type"] == "status"]
    assert [m["status"] for m in back] == ["running"]  # before the blow-up, the run is running again


def test_a_long_seek_in_another_thread_and_ticks_on_this_one_compute_each_step_once() -> None:
    """The compute pool advances a shared run while the event loop reads and advances it too."""
    registry = SharedRuns()
    seeker, player = session(registry), session(registry)
    done = threading.Event()

    def seek() -> None:
        drain(advance_sliced(seeker.runs, 4000, 200_000, seeker._locks()))
        done.set()

    thread = threading.Thread(target=seek)
    thread.start()
    seen = []
    while not done.is_set() or player.cursor < 200:
        seen += frames_of(player.handle({"type": "step"}))
        if player.cursor >= 1500:
            break
    thread.join()
    assert [f["step"] for f in seen] == [s for s in range(1, player.cursor + 1) for _ in RACE]
    assert seen == alone(RACE, player.cursor)
    assert all(run.step == len(run.frames) - 1 for run in player.runs)  # no step recorded twice


def test_an_encoded_shared_frame_is_the_json_of_the_frame() -> None:
    registry = SharedRuns()
    first, second = session(registry), session(registry)
    first.handle({"type": "step", "n": 3})
    message = second.handle({"type": "step"})[0]
    assert orjson.loads(encode(message)) == orjson.loads(orjson.dumps({**message, "frames": frames_of([message])}))


def test_two_sockets_playing_the_same_scene_get_the_frames_a_lone_one_gets() -> None:
    app = create_app(Settings())
    with (
        TestClient(app, base_url="http://127.0.0.1") as client,
        client.websocket_connect("/ws") as a,
        client.websocket_connect("/ws") as b,
    ):
        for ws in (a, b):
            ws.send_json({"type": "start", "runs": RACE, "batch": True, "max_steps": 5000})
        got = {}
        for name, ws in (("a", a), ("b", b)):
            while ws.receive_json()["type"] != "frames":
                pass
            ws.send_json({"type": "step", "n": 30})
            message = ws.receive_json()
            while message["type"] != "frames":
                message = ws.receive_json()
            got[name] = message["frames"]
        assert len(app.state.live_shared_runs) == len(RACE)
    assert got["a"] == got["b"] == alone(RACE, 30)


def test_the_encoded_frames_kept_for_a_class_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.live import shared_runs

    monkeypatch.setattr(shared_runs, "KEPT_MESSAGES", 10)
    registry = SharedRuns()
    first, second = session(registry), session(registry)
    first.handle({"type": "step", "n": 50})
    for _ in range(50):
        second.handle({"type": "step"})
    assert 0 < len(registry._messages) <= 10
    assert frames_of(second.handle({"type": "seek", "step": 3})) == alone(RACE, 3)[-len(RACE) :]

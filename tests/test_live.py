"""The websocket protocol of docs/websocket.md, message type by message type."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.api.live import MAX_PENDING_FRAMES_PER_RUN, Outbox

SEEDS = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "start": [8]}


def receive_until(ws, wanted: str, limit: int = 5000) -> tuple[dict, list[dict]]:
    """Read messages until one of type ``wanted``; return it and everything before."""
    seen = []
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == wanted:
            return message, seen
        seen.append(message)
    raise AssertionError(f"no {wanted} message")


def start(ws, runs: list[dict], **extra) -> dict:
    ws.send_json({"type": "start", "runs": runs, **extra})
    started, _ = receive_until(ws, "started")
    return started


def test_start_sends_configs_and_frame_zero(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        started = start(ws, [SEEDS])
        assert started["runs"][0]["hyperparameters"] == {"lr": 0.1, "weight_decay": 0.0}
        assert started["function"]["id"] == "quadratic"
        frame = ws.receive_json()
        assert frame["type"] == "frame" and frame["run"] == 0 and frame["step"] == 0
        assert frame["params"] == [8.0] and frame["loss"] == pytest.approx(38.0) and frame["grad"] == [12.0]


def test_step_back_seek_reset(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        start(ws, [SEEDS])
        ws.receive_json()
        ws.send_json({"type": "step", "n": 4})
        xs = [ws.receive_json()["params"][0] for _ in range(4)]
        assert xs == pytest.approx([6.8, 5.84, 5.072, 4.4576])
        ws.send_json({"type": "back"})
        assert ws.receive_json() == {"type": "cursor", "step": 3}
        assert ws.receive_json()["params"][0] == pytest.approx(5.072)
        ws.send_json({"type": "seek", "step": 1})
        assert ws.receive_json()["step"] == 1
        assert ws.receive_json()["params"][0] == pytest.approx(6.8)
        ws.send_json({"type": "step"})
        assert ws.receive_json()["params"][0] == pytest.approx(5.84)
        ws.send_json({"type": "reset"})
        assert ws.receive_json() == {"type": "cursor", "step": 0}
        assert ws.receive_json()["params"] == [8.0]


def test_play_streams_consecutive_steps_until_converged(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        start(ws, [SEEDS], max_steps=2000)
        ws.receive_json()
        ws.send_json({"type": "play", "fps": 120, "skip": 10})
        playback, _ = receive_until(ws, "playback")
        assert playback["playing"] is True
        status, before = receive_until(ws, "status")
        steps = [m["step"] for m in before if m["type"] == "frame"]
        assert steps == list(range(1, len(steps) + 1))
        assert status["status"] == "converged" and "Converged" in status["message"]
        stopped, _ = receive_until(ws, "playback")
        assert stopped["playing"] is False


def test_race_in_batches(client: TestClient) -> None:
    runs = [{**SEEDS, "hyperparameters": {"lr": lr}} for lr in (0.01, 0.1, 0.9, 1.1)]
    with client.websocket_connect("/ws") as ws:
        started = start(ws, runs, batch=True)
        assert [r["hyperparameters"]["lr"] for r in started["runs"]] == [0.01, 0.1, 0.9, 1.1]
        first = ws.receive_json()
        assert first["type"] == "frames" and [f["run"] for f in first["frames"]] == [0, 1, 2, 3]
        ws.send_json({"type": "step", "n": 2})
        batch = ws.receive_json()
        assert batch["type"] == "frames" and len(batch["frames"]) == 8
        by_run = {f["run"]: f for f in batch["frames"] if f["step"] == 2}
        # lr 0.9 overshoots to the other side of the valley: x - 2 flips sign each step (factor 1 - 2*0.9 = -0.8).
        assert by_run[2]["params"][0] - 2 == pytest.approx(6 * 0.64)
        ws.send_json({"type": "step", "n": 200})
        statuses = {}
        while 3 not in statuses:
            status, _ = receive_until(ws, "status")
            statuses[status["run"]] = status
        assert statuses[3]["status"] == "diverged" and "stable limit 1 " in statuses[3]["message"]
        assert statuses[1]["status"] == "converged"  # lr 0.1 gets there before lr 1.1 is declared runaway


def test_update_branches_from_the_cursor(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        start(ws, [SEEDS])
        ws.receive_json()
        ws.send_json({"type": "step", "n": 2})
        ws.receive_json(), ws.receive_json()
        ws.send_json({"type": "update", "run": 0, "hyperparameters": {"lr": 0.5}})
        started, _ = receive_until(ws, "started")
        assert started["runs"][0]["changes"] == [{"at_step": 2, "hyperparameters": {"lr": 0.5, "weight_decay": 0.0}}]
        assert ws.receive_json() == {"type": "cursor", "step": 2}
        assert ws.receive_json()["params"][0] == pytest.approx(5.84)
        ws.send_json({"type": "step"})
        # lr 0.5 on f'' = 2 jumps straight to the minimum.
        assert ws.receive_json()["params"][0] == pytest.approx(2.0)

        # Replaying the config the server gave back reproduces the branch exactly.
        ws.send_json({"type": "start", "runs": [{**SEEDS, "changes": started["runs"][0]["changes"]}]})
        receive_until(ws, "started")
        ws.receive_json()
        ws.send_json({"type": "step", "n": 3})
        xs = [ws.receive_json()["params"][0] for _ in range(3)]
        assert xs == pytest.approx([6.8, 5.84, 2.0])


def test_update_start_restarts_the_race(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        start(ws, [{"function": "himmelblau", "optimizer": "gd"}, {"function": "himmelblau", "optimizer": "adam"}])
        ws.receive_json(), ws.receive_json()
        ws.send_json({"type": "update", "start": [-1, 1]})
        started, _ = receive_until(ws, "started")
        assert [r["start"] for r in started["runs"]] == [[-1, 1], [-1, 1]]
        assert ws.receive_json() == {"type": "cursor", "step": 0}
        assert ws.receive_json()["params"] == [-1, 1]


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ({"type": "fly"}, "Unknown message type"),
        ({"kind": "play"}, '"type"'),
        ({"type": "play"}, "start"),
        ({"type": "start", "runs": []}, "runs"),
        ({"type": "start", "runs": [{"function": "nope", "optimizer": "gd"}]}, "Unknown function"),
        ({"type": "start", "runs": [SEEDS] * 9}, "at most 8"),
        ({"type": "start", "runs": [SEEDS, {"function": "bowl", "optimizer": "gd"}]}, "same function"),
        ({"type": "start", "runs": [SEEDS], "max_steps": 10**9}, "max_steps"),
    ],
)
def test_bad_messages_get_an_error_and_the_connection_stays(client: TestClient, message: dict, fragment: str) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json(message)
        error = ws.receive_json()
        assert error["type"] == "error" and fragment in error["message"]
        start(ws, [SEEDS])  # still alive


def test_bad_values_after_start(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        start(ws, [SEEDS])
        ws.receive_json()
        for message, fragment in [
            ({"type": "play", "fps": 1000}, "fps"),
            ({"type": "step", "n": "many"}, "n must be"),
            ({"type": "update", "run": 5, "hyperparameters": {"lr": 1}}, "run must be"),
            ({"type": "update", "hyperparameters": {"lr": -3}}, "lr = -3"),
            ({"type": "update", "start": [1, 2]}, "1D function"),
        ]:
            ws.send_json(message)
            error = ws.receive_json()
            assert error["type"] == "error" and fragment in error["message"], message


def test_malformed_and_oversized_messages(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text("{not json")
        assert "not valid JSON" in ws.receive_json()["message"]
        ws.send_text('{"type": "pause", "pad": "' + "x" * 70_000 + '"}')
        assert "too large" in ws.receive_json()["message"]
        ws.send_text("[1, 2]")
        assert ws.receive_json()["type"] == "error"


def test_flood_is_closed_with_policy_violation(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(1000):
                ws.send_text("{}")
            for _ in range(2000):
                ws.receive_json()
        assert closed.value.code == 1008


def test_stop_forgets_the_runs(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        start(ws, [SEEDS])
        ws.receive_json()
        ws.send_json({"type": "stop"})
        assert ws.receive_json() == {"type": "stopped"}
        ws.send_json({"type": "step"})
        assert "start" in ws.receive_json()["message"]


def test_disconnect_mid_play_leaves_no_task(client: TestClient) -> None:
    def live_tasks() -> int:
        async def count() -> int:
            return len([t for t in asyncio.all_tasks() if t.get_coro().__name__ in ("_sender", "_player")])

        return client.portal.call(count)

    with client.websocket_connect("/ws") as ws:
        start(ws, [SEEDS], max_steps=20000)
        ws.send_json({"type": "play", "fps": 60})
        receive_until(ws, "playback")
        assert live_tasks() == 2
    for _ in range(200):
        if live_tasks() == 0:
            break
        client.portal.call(asyncio.sleep, 0.01)
    assert live_tasks() == 0


class _Socket:
    """A socket that keeps up for ``room`` writes, then backs up."""

    def __init__(self, room: int) -> None:
        self.room, self.written = room, []

    def ready(self) -> bool:
        return len(self.written) < self.room

    def write(self, frame: bytes) -> None:
        self.written.append(orjson.loads(frame[2:]))  # a short unmasked text frame: two bytes of header


def test_a_tick_goes_straight_to_a_socket_that_keeps_up_and_the_rest_waits_in_order() -> None:
    async def send() -> tuple[_Socket, list[dict]]:
        socket = _Socket(room=1)
        outbox = Outbox(socket)
        outbox.send_now([{"type": "cursor", "step": n} for n in (1, 2, 3)], runs=1)
        outbox.send_now([{"type": "cursor", "step": 4}], runs=1)  # behind what waits, even once it could go
        socket.room = 10
        return socket, outbox.take()

    socket, waiting = asyncio.run(send())
    assert socket.written == [{"type": "cursor", "step": 1}]
    assert [m["step"] for m in waiting] == [2, 3, 4]


def test_outbox_coalesces_for_a_slow_reader() -> None:
    async def fill() -> Outbox:
        outbox = Outbox()
        for step in range(5000):
            outbox.put([{"type": "frames", "step": step, "frames": [{"run": 0, "step": step}]}], runs=1)
            outbox.put([{"type": "status", "run": 0}], runs=1) if step == 10 else None
        return outbox

    outbox = asyncio.run(fill())
    assert outbox.frame_count == MAX_PENDING_FRAMES_PER_RUN
    sent = outbox.take()
    frames = [f for m in sent if m["type"] == "frames" for f in m["frames"]]
    assert frames[-1]["step"] == 4999 and len(frames) == MAX_PENDING_FRAMES_PER_RUN
    assert any(m["type"] == "status" for m in sent)  # non-frame messages are never dropped


def test_a_large_step_arrives_whole(client: TestClient) -> None:
    """step n=500 in a 4-run race is 2,000 frames, more than the slow-reader cap: none may be lost."""
    race = [{"function": "rosenbrock", "optimizer": o, "hyperparameters": {"lr": 1e-4}} for o in ("gd", "momentum")]
    race += [{"function": "rosenbrock", "optimizer": o, "hyperparameters": {"lr": 1e-3}} for o in ("adam", "rmsprop")]
    for batch in (True, False):
        with client.websocket_connect("/ws") as ws:
            ws.send_json({"type": "start", "runs": race, "batch": batch, "max_steps": 2000})
            while ws.receive_json()["type"] not in ("frame", "frames"):
                pass
            ws.send_json({"type": "step", "n": 500})
            steps: dict[int, set[int]] = {run: set() for run in range(4)}
            while any(len(s - {0}) < 500 for s in steps.values()):
                message = ws.receive_json()
                frames = message["frames"] if message["type"] == "frames" else [message]
                for frame in frames:
                    if frame.get("type", message["type"]) == "frame":
                        steps[frame["run"]].add(frame["step"])
            assert all(s - {0} == set(range(1, 501)) for s in steps.values())


def test_past_the_connection_cap_a_client_is_told_to_come_back() -> None:
    from app.main import create_app
    from app.settings import Settings

    with TestClient(create_app(Settings(max_connections=1))) as small, small.websocket_connect("/ws") as first:
        with small.websocket_connect("/ws") as second:
            assert "server is full" in second.receive_json()["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                second.receive_json()
            assert closed.value.code == 1013
        start(first, [SEEDS])  # the first connection is unaffected
    with TestClient(create_app(Settings(max_connections=1))) as small:
        for _ in range(3):  # closed connections free their place
            with small.websocket_connect("/ws") as again:
                assert start(again, [SEEDS])["type"] == "started"


def test_a_paused_connection_that_says_nothing_is_closed_and_told_why() -> None:
    from app.main import create_app
    from app.settings import Settings

    with TestClient(create_app(Settings(websocket_idle_seconds=0.3))) as quiet, quiet.websocket_connect("/ws") as ws:
        start(ws, [SEEDS])
        error, _ = receive_until(ws, "error")
        assert "without a message" in error["message"]
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()


def test_a_race_computed_in_the_smallest_slices_is_the_race_computed_at_once() -> None:
    """Slicing the work (one step a turn) changes when it is done, never what it computes."""
    from app.compute import advance_sliced, drain
    from app.live.session import LiveSession
    from app.runs.factory import build_config
    from app.runs.run import replay
    from app.settings import Settings

    runs = [
        {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 0.01}},
        {"function": "rosenbrock", "optimizer": "bfgs"},
    ]
    session = LiveSession(Settings(work_per_slice=1))
    session.handle({"type": "start", "max_steps": 400, "runs": runs})
    work = session.handle_sliced({"type": "seek", "step": 300})
    turns = 0
    with pytest.raises(StopIteration):
        while True:
            next(work)
            turns += 1
    assert turns >= 300  # one step a turn for the longer run
    for run, spec in zip(session.runs, runs, strict=True):
        config = build_config(spec["function"], spec["optimizer"], spec.get("hyperparameters", {}), max_steps=400)
        alone = replay(config, 300)
        assert run.frames == alone.frames
    drain(advance_sliced(session.runs, 350, 1))
    assert all(run.step == 350 or run.status != "running" for run in session.runs)


@pytest.mark.parametrize("inline_work", [0, 10**12], ids=["every tick in the pool", "every tick on the loop"])
def test_a_played_race_is_the_same_wherever_its_ticks_are_computed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, inline_work: int
) -> None:
    """Small ticks are computed on the event loop, large ones in the compute pool: the frames are the same."""
    import app.api.live as live_api
    from app.runs.factory import build_config
    from app.runs.run import replay

    monkeypatch.setattr(live_api, "INLINE_TICK_WORK", inline_work)
    runs = [{**SEEDS, "hyperparameters": {"lr": lr}} for lr in (0.1, 0.3)]
    with client.websocket_connect("/ws") as ws:
        start(ws, runs, batch=True, max_steps=2000)
        ws.receive_json()
        ws.send_json({"type": "play", "fps": 120, "skip": 3})
        seen = {0: [], 1: []}
        while True:
            message = ws.receive_json()
            if message["type"] == "frames":
                for frame in message["frames"]:
                    seen[frame["run"]].append(frame)
            elif message["type"] == "playback" and not message["playing"]:
                break
    for index, spec in enumerate(runs):
        config = build_config(spec["function"], spec["optimizer"], spec["hyperparameters"], start=[8], max_steps=2000)
        alone = replay(config, 2000)
        assert [f["step"] for f in seen[index]] == list(range(1, alone.step + 1))  # every step, once, in order
        assert [f["params"] for f in seen[index]] == [f["params"] for f in alone.frames[1:]]

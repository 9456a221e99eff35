"""Lecture rooms on a real server: a lecturer drives, followers see the same bytes, the class races itself.

Everything runs against the app under uvicorn on a free port (tests/serving.py) with real websockets; the
multi-process Redis tests are in tests/test_rooms_redis.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.i18n import load_messages
from app.rooms import codes
from app.rooms.present import Present
from app.settings import Settings
from tests.serving import serving

QUADRATIC = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "start": [8]}
WAIT = 5.0


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with serving(Settings(room_misses_per_minute=1000, room_lookups_per_minute=6000, room_create_per_minute=1000)) as p:
        yield p


def url(port: int, path: str) -> str:
    return f"http://127.0.0.1:{port}{path}"


def open_room(port: int) -> dict[str, Any]:
    answer = httpx.post(url(port, "/api/v1/rooms"), json={})
    assert answer.status_code == 201, answer.text
    return answer.json()


def ws(port: int, room: dict[str, Any], token: str | None = None) -> ClientConnection:
    query = f"?token={token}" if token else ""
    return connect(f"ws://127.0.0.1:{port}/ws/rooms/{room['code']}{query}", max_size=None, open_timeout=WAIT)


def receive(conn: ClientConnection) -> dict[str, Any]:
    return orjson.loads(conn.recv(timeout=WAIT))


def until(conn: ClientConnection, kind: str, raw: bool = False) -> Any:
    """Messages up to and including the first of ``kind`` (which is returned, with those before it)."""
    seen = []
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        text = conn.recv(timeout=WAIT)
        message = orjson.loads(text)
        seen.append(text if raw else message)
        if message["type"] == kind:
            return seen
    raise AssertionError(f"no {kind} within {WAIT} s: {seen}")


def test_a_follower_receives_the_lecturers_messages_byte_for_byte(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer, ws(port, room) as follower:
        until(follower, "room")
        lecturer.send(orjson.dumps({"type": "start", "runs": [QUADRATIC], "batch": True}).decode())
        said = until(lecturer, "frames", raw=True)
        heard = until(follower, "frames", raw=True)
        assert [t for t in said if '"room"' not in t] == [unstamped(t) for t in heard if '"room"' not in t]
        lecturer.send('{"type": "step", "n": 3}')
        said = until(lecturer, "frames", raw=True)
        heard = until(follower, "frames", raw=True)
        assert said == [unstamped(t) for t in heard]
        assert orjson.loads(heard[-1])["step"] == 3


def unstamped(text: str) -> str:
    """A follower's copy of a step without the moment it was sent (the one field it has that the lecturer's lacks)."""
    return re.sub(r',"sent_at":[0-9.]+}$', "}", text)


def test_a_step_carries_when_the_lecturer_was_sent_it_and_a_pong_the_servers_clock(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer, ws(port, room) as follower:
        until(follower, "room")
        lecturer.send(orjson.dumps({"type": "start", "runs": [QUADRATIC], "batch": True}).decode())
        until(lecturer, "frames")
        until(follower, "frames")
        asked = time.time() * 1000
        lecturer.send('{"type": "step", "n": 2}')
        said = until(lecturer, "frames")[-1]
        heard = until(follower, "frames")[-1]
        got = time.time() * 1000
        assert heard["step"] == said["step"] == 2
        assert "sent_at" not in said  # the lecturer's own bytes are the handler's
        assert asked <= heard["sent_at"] <= got  # stamped between the lecturer's command and the follower's copy
        pinged = time.time() * 1000
        follower.send('{"type": "ping"}')
        pong = until(follower, "pong")[-1]
        assert pinged <= pong["at"] <= time.time() * 1000


def test_a_late_joiners_catch_up_carries_no_stale_send_time(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer:
        lecturer.send(orjson.dumps({"type": "start", "runs": [QUADRATIC], "batch": True}).decode())
        until(lecturer, "frames")
        lecturer.send('{"type": "step", "n": 3}')
        until(lecturer, "frames")
        time.sleep(0.2)
        with ws(port, room) as late:
            catch_up = until(late, "frames", raw=True)[-1]
        assert "sent_at" not in catch_up  # else a joiner would show the lag since the lecturer's last step
        assert orjson.loads(catch_up)["step"] == 3


def test_a_late_joiner_gets_the_present_at_once(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer:
        lecturer.send(orjson.dumps({"type": "view", "state": {"page": "/1d", "scene": "lr"}}).decode())
        two = {**QUADRATIC, "hyperparameters": {"lr": 0.4}}
        lecturer.send(orjson.dumps({"type": "start", "runs": [QUADRATIC, two], "batch": True}).decode())
        until(lecturer, "frames")
        lecturer.send('{"type": "step", "n": 5}')
        until(lecturer, "frames")
        lecturer.send('{"type": "back", "n": 2}')
        until(lecturer, "cursor")
        with ws(port, room) as late:
            joined = until(late, "cursor")
            kinds = [m["type"] for m in joined]
            assert kinds == ["room", "view", "started", "frames", "cursor"]
            assert joined[1]["state"] == {"page": "/1d", "scene": "lr"}
            frames = joined[3]["frames"]
            # Both runs from step 0 to the cursor (3, after 5 forward and 2 back), each step once.
            assert sorted((f["run"], f["step"]) for f in frames) == [(r, s) for r in (0, 1) for s in range(4)]
            assert joined[4]["step"] == 3
            # The frames are the lecturer's own: the same points a fresh race computes.
            with connect(f"ws://127.0.0.1:{port}/ws") as alone:
                alone.send(orjson.dumps({"type": "start", "runs": [QUADRATIC, two], "batch": True}).decode())
                until(alone, "frames")
                alone.send('{"type": "step", "n": 3}')
                own = until(alone, "frames")[-1]["frames"]
            assert {(f["run"], f["params"][0]) for f in frames if f["step"] == 3} == {
                (f["run"], f["params"][0]) for f in own if f["step"] == 3
            }


def test_a_followers_commands_are_refused_and_a_wrong_token_does_not_drive(port: int) -> None:
    room = open_room(port)
    with ws(port, room) as follower:
        until(follower, "room")
        follower.send(orjson.dumps({"type": "start", "runs": [QUADRATIC]}).decode())
        error = until(follower, "error")[-1]
        assert error["key"] == "room.error.follower_cannot_drive"
        assert error["key"] in load_messages("en")
        follower.send('{"type": "ping"}')
        assert until(follower, "pong")
    with ws(port, room, "not-the-token") as impostor:
        error = until(impostor, "error")[-1]
        assert error["key"] == "room.error.bad_token"
        with pytest.raises(ConnectionClosed):  # closed by the server: policy violation
            impostor.recv(timeout=WAIT)
    assert impostor.close_code == 1008
    # Nothing the impostor sent reached the room: it is as the lecturer left it (empty).
    assert httpx.get(url(port, f"/api/v1/rooms/{room['code']}")).json()["page"] is None


def test_closing_a_room_tells_the_followers_and_needs_the_token(port: int) -> None:
    room = open_room(port)
    code = room["code"]
    with ws(port, room) as follower:
        until(follower, "room")
        assert httpx.delete(url(port, f"/api/v1/rooms/{code}")).status_code == 403
        wrong = httpx.delete(url(port, f"/api/v1/rooms/{code}"), headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        assert httpx.get(url(port, f"/api/v1/rooms/{code}")).status_code == 200
        right = httpx.delete(url(port, f"/api/v1/rooms/{code}"), headers={"Authorization": f"Bearer {room['token']}"})
        assert right.status_code == 204
        closed = until(follower, "room_closed")[-1]
        assert closed["reason"] == "closed"
        assert closed["message"] == load_messages("en")[closed["key"]]
    gone = httpx.get(url(port, f"/api/v1/rooms/{code}"))
    assert gone.status_code == 404
    assert code in gone.json()["detail"]
    with ws(port, room) as late:
        assert until(late, "room_closed")[-1]["reason"] == "not_live"


def test_codes_are_readable_aloud_and_typed_loosely(port: int) -> None:
    room = open_room(port)
    code = room["code"]
    assert len(code) == 6 and not set(code) & set("0O1IL")
    assert room["url"] == url(port, f"/join/{code}")
    loose = f"{code[:3].lower()} - {code[3:].lower()}"
    assert httpx.get(url(port, f"/api/v1/rooms/{loose}")).json()["code"] == code
    assert codes.normalize("ABC0O1") is None


def test_join_goes_to_the_lecturers_page_and_an_unknown_code_to_home(port: int) -> None:
    room = open_room(port)
    join = url(port, f"/join/{room['code']}?lang=pl")
    first = httpx.get(join, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == f"/1d?room={room['code']}&lang=pl"
    with ws(port, room, room["token"]) as lecturer:
        lecturer.send(orjson.dumps({"type": "view", "state": {"page": "/2d", "fog": True}}).decode())
        deadline = time.monotonic() + WAIT
        while httpx.get(url(port, f"/api/v1/rooms/{room['code']}")).json()["page"] != "/2d":
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert httpx.get(join, follow_redirects=False).headers["location"] == f"/2d?room={room['code']}&lang=pl"
    unknown = httpx.get(url(port, "/join/ZZZZZZ"), follow_redirects=False)
    assert unknown.status_code == 404
    assert "text/html" in unknown.headers["content-type"]


def test_the_qr_code_is_an_svg_of_the_join_address(port: int) -> None:
    room = open_room(port)
    answer = httpx.get(url(port, room["qr"]))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    assert answer.text.lstrip().startswith("<svg") and "<path" in answer.text
    # The same QR as a reference encoder makes of the join URL, module for module.
    import segno

    reference = segno.make(room["url"], error="m")
    assert f'width="{(reference.symbol_size(scale=10, border=4))[0]}"' in answer.text


def test_guessing_codes_is_rate_limited_per_address() -> None:
    with serving(Settings(room_misses_per_minute=5)) as p:
        answers = [httpx.get(url(p, f"/api/v1/rooms/{codes.new_code()}")) for _ in range(7)]
        assert [a.status_code for a in answers[:5]] == [404] * 5
        limited = answers[5]
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert "try again" in limited.json()["detail"]
        # Once out of guesses, even a live code is not confirmed (or a hit would give it away).
        room = open_room(p)
        assert httpx.get(url(p, f"/api/v1/rooms/{room['code']}")).status_code == 429
        with connect(f"ws://127.0.0.1:{p}/ws/rooms/{room['code']}") as follower:
            assert until(follower, "error")[-1]["key"] == "room.error.too_many"


def test_opening_rooms_is_rate_limited_per_address() -> None:
    with serving(Settings(room_create_per_minute=2)) as p:
        statuses = [httpx.post(url(p, "/api/v1/rooms")).status_code for _ in range(3)]
        assert statuses == [201, 201, 429]


def test_a_room_nobody_drives_ends_after_its_idle_time() -> None:
    # Idle for 1 s: short for a test, long enough that a loaded machine's stalls (half a second and more when
    # tests run side by side) do not end a room whose lecturer's heartbeat (every 0.25 s) was merely late.
    with serving(Settings(room_idle_seconds=1.0)) as p:
        room = open_room(p)
        with ws(p, room) as follower:
            until(follower, "room")
            closed = until(follower, "room_closed")[-1]
            assert closed["reason"] == "idle"
        assert httpx.get(url(p, f"/api/v1/rooms/{room['code']}")).status_code == 404
        # While the lecturer is connected, the room stays live well past the idle time.
        room = open_room(p)
        with ws(p, room, room["token"]) as lecturer:
            until(lecturer, "room")
            time.sleep(2.5)
            assert httpx.get(url(p, f"/api/v1/rooms/{room['code']}")).status_code == 200


def test_followers_per_room_are_capped() -> None:
    with serving(Settings(max_room_followers=2)) as p:
        room = open_room(p)
        with ws(p, room) as one, ws(p, room) as two:
            until(one, "room")
            until(two, "room")
            with ws(p, room) as three:
                error = until(three, "error")[-1]
                assert error["key"] == "room.error.full"
            assert httpx.get(url(p, f"/api/v1/rooms/{room['code']}")).json()["followers"] == 2


def test_the_lecturer_sees_the_follower_count(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer:
        assert until(lecturer, "room")[-1]["followers"] == 0
        with ws(port, room), ws(port, room):
            deadline = time.monotonic() + WAIT
            count = 0
            while count != 2:
                count = until(lecturer, "room")[-1]["followers"]
                assert time.monotonic() < deadline


def test_present_reducer_round_trips_through_its_snapshot() -> None:
    present = Present()
    for message in [
        {"type": "view", "state": {"page": "/2d"}},
        {"type": "started", "runs": [{}, {}]},
        {
            "type": "frames",
            "step": 2,
            "frames": [{"type": "frame", "run": r, "step": s} for s in (1, 2) for r in (0, 1)],
        },
        {"type": "status", "run": 1, "status": "converged"},
        {"type": "cursor", "step": 1},
        {"type": "playback", "playing": False, "fps": 30, "skip": 1, "step": 1},
    ]:
        present.apply(orjson.dumps(message))
    again = Present()
    for text in present.snapshot():
        again.apply(text)
    assert again.join_messages() == present.join_messages()
    frames = orjson.loads(present.join_messages()[2])["frames"]
    assert [(f["run"], f["step"]) for f in frames] == [(0, 1), (1, 1)]  # step 2 was taken back


def _second_difference(base: str, x: float, h: float = 1e-3) -> float:
    """f'' of the quadratic at x, from values the REST API computes (not from the Hessian code under test)."""
    values = []
    for point in (x - h, x, x + h):
        body = {**QUADRATIC, "start": [point], "steps": 1}
        values.append(httpx.post(f"{base}/api/v1/optimize", json=body).json()["frames"][0]["loss"])
    return (values[0] - 2 * values[1] + values[2]) / h**2


def test_the_class_race_runs_every_answer_and_says_who_diverged(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer, ws(port, room) as ann, ws(port, room) as bob, ws(port, room) as cy:
        for follower in (ann, bob, cy):
            until(follower, "room")
        lecturer.send(orjson.dumps({"type": "question", "kind": "lr", "run": QUADRATIC}).decode())
        question = until(lecturer, "question")[-1]
        assert question["open"] and question["kind"] == "lr"
        curvature = _second_difference(url(port, ""), 8.0)
        assert question["lambda_max"]["where"] == "start" and question["lambda_max"]["at"] == [8.0]
        assert question["lambda_max"]["value"] == pytest.approx(curvature, rel=1e-3)
        assert question["lambda_max"]["stable_lr"] == pytest.approx(2 / curvature, rel=1e-3)
        for follower in (ann, bob, cy):
            assert until(follower, "question")[-1]["id"] == question["id"]
        # Bad answers are refused with a sentence; a second answer replaces the first.
        ann.send('{"type": "answer", "value": -1}')
        assert until(ann, "error")[-1]["key"] == "room.error.answer_lr"
        ann.send('{"type": "answer", "value": true}')
        assert until(ann, "error")[-1]["key"] == "room.error.answer_lr"
        ann.send(orjson.dumps({"type": "answer", "value": 0.3, "name": "x" * 25}).decode())
        assert until(ann, "error")[-1]["key"] == "room.error.name_too_long"
        ann.send('{"type": "answer", "value": 0.2}')
        until(ann, "answer_taken")
        ann.send('{"type": "answer", "value": 0.3}')
        until(ann, "answer_taken")
        bob.send(orjson.dumps({"type": "answer", "value": 0.9, "name": " <b>Bob</b>\u0007 "}).decode())
        assert until(bob, "answer_taken")[-1]["name"] == "<b>Bob</b>"
        cy.send('{"type": "answer", "value": 1.2}')
        until(cy, "answer_taken")
        deadline = time.monotonic() + WAIT
        answers: dict[str, Any] = {"count": 0}
        while answers["count"] < 3:
            answers = until(lecturer, "answers")[-1]
            assert time.monotonic() < deadline
        assert [(a["label"], a["value"]) for a in answers["answers"]] == [("#1", 0.3), ("<b>Bob</b>", 0.9), ("#3", 1.2)]
        lecturer.send('{"type": "question_close"}')
        until(ann, "question_closed")
        cy.send('{"type": "answer", "value": 0.5}')
        assert until(cy, "error")[-1]["key"] == "room.error.no_question"
        lecturer.send('{"type": "race", "max_steps": 200}')
        race = until(lecturer, "race")[-1]
        assert race["labels"] == [None, "#1", "<b>Bob</b>", "#3"]
        started = until(lecturer, "started")[-1]
        assert [r["hyperparameters"]["lr"] for r in started["runs"]] == [0.1, 0.3, 0.9, 1.2]
        assert until(bob, "started")[-1] == started
        lecturer.send('{"type": "step", "n": 100}')
        said = until(lecturer, "frames")
        heard = until(bob, "frames")
        assert said[-1] == {k: v for k, v in heard[-1].items() if k != "sent_at"}
        statuses = {}
        for follower in (bob,):
            deadline = time.monotonic() + WAIT
            while 3 not in statuses:
                message = receive(follower)
                if message["type"] == "status":
                    statuses[message["run"]] = message["status"]
                assert time.monotonic() < deadline
        # lr 1.2 is past 2 / lambda_max on this parabola: that runner diverges, and the status says so.
        assert statuses[3] == "diverged"
        assert statuses.get(0, "running") != "diverged" and statuses.get(1, "running") != "diverged"


NETWORK = {
    "network": {"dataset": "xor", "hidden": [4], "activation": "tanh", "points": 100},
    "optimizer": "adam",
    "hyperparameters": {"lr": 0.03},
    "seed": 3,
}


def _trained_alone(port: int, run: dict[str, Any], steps: int) -> list[float]:
    """The loss at each step of ``run`` trained by itself through the REST API (not through the room)."""
    made = httpx.post(url(port, "/api/v1/network/runs"), json={**run, "max_steps": 100})
    assert made.status_code == 201, made.text
    stepped = httpx.post(url(port, f"/api/v1/network/runs/{made.json()['id']}/step"), json={"n": steps}).json()
    return [frame["loss"] for frame in [made.json()["frames"][0], *stepped["frames"]]]


def test_a_network_question_races_each_answer_as_a_network_of_its_own(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer, ws(port, room) as ann, ws(port, room) as bob:
        for follower in (ann, bob):
            until(follower, "room")
        # A network has no start point to choose.
        lecturer.send(orjson.dumps({"type": "question", "kind": "start", "run": NETWORK}).decode())
        assert until(lecturer, "error")[-1]["key"] == "room.error.question_network_kind"
        lecturer.send(orjson.dumps({"type": "question", "kind": "lr", "run": NETWORK}).decode())
        question = until(lecturer, "question")[-1]
        assert question["run"]["network"]["dataset"] == "xor" and question["lambda_max"] is None
        assert until(ann, "question")[-1]["id"] == question["id"]
        ann.send('{"type": "answer", "value": 0}')
        assert until(ann, "error")[-1]["key"] == "room.error.answer_lr"
        ann.send('{"type": "answer", "value": 0.3, "name": "Ann"}')
        until(ann, "answer_taken")
        bob.send('{"type": "answer", "value": 0.003}')
        until(bob, "answer_taken")
        lecturer.send('{"type": "race", "max_steps": 100}')
        assert until(lecturer, "race")[-1]["labels"] == [None, "Ann", "#2"]
        started = until(lecturer, "started")[-1]
        assert [r["hyperparameters"]["lr"] for r in started["runs"]] == [0.03, 0.3, 0.003]
        assert len(started["sizes"]) == 3  # three networks, one data set
        lecturer.send('{"type": "step", "n": 5}')
        frames = until(lecturer, "frames")[-1]
        while frames["step"] != 5:
            frames = until(lecturer, "frames")[-1]
        # Each runner trains as that network would alone, with the answer's learning rate.
        for run, lr in enumerate((0.03, 0.3, 0.003)):
            alone = _trained_alone(port, {**NETWORK, "hyperparameters": {"lr": lr}}, 5)
            raced = next(f["loss"] for f in frames["frames"] if f["run"] == run and f["step"] == 5)
            assert raced == pytest.approx(alone[5], rel=1e-9)
        assert len({f["loss"] for f in frames["frames"] if f["step"] == 5}) == 3
        # An optimizer question: the answer must be able to train a network (first-order), said as the API says it.
        lecturer.send(orjson.dumps({"type": "question", "kind": "optimizer", "run": NETWORK}).decode())
        until(bob, "question")
        bob.send('{"type": "answer", "value": {"optimizer": "newton", "hyperparameters": {}}}')
        refused = until(bob, "error")[-1]
        assert refused["key"] == "room.error.answer_invalid" and "first-order" in refused["message"]
        bob.send('{"type": "answer", "value": {"optimizer": "momentum", "hyperparameters": {"lr": 0.1}}}')
        assert until(bob, "answer_taken")[-1]["value"]["optimizer"] == "momentum"


def test_a_network_question_takes_at_most_its_documented_answers(port: int) -> None:
    from app.rooms.questions import NETWORK_ANSWERS

    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer:
        lecturer.send(orjson.dumps({"type": "question", "kind": "lr", "run": NETWORK}).decode())
        until(lecturer, "question")
        with contextlib.ExitStack() as stack:
            for i in range(NETWORK_ANSWERS + 1):
                follower = stack.enter_context(ws(port, room))
                until(follower, "question")
                follower.send(orjson.dumps({"type": "answer", "value": 0.01 * (i + 1)}).decode())
                reply = until(follower, "answer_taken" if i < NETWORK_ANSWERS else "error")[-1]
            assert reply["key"] == "room.error.answers_full" and reply["values"]["limit"] == NETWORK_ANSWERS


def test_a_follower_that_never_reads_does_not_slow_the_lecturer(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer, ws(port, room) as reader:
        stalled = connect(f"ws://127.0.0.1:{port}/ws/rooms/{room['code']}", max_queue=1)
        stalled.recv(timeout=WAIT)  # joined; from now on it reads nothing
        until(reader, "room")
        runs = [{**QUADRATIC, "hyperparameters": {"lr": 1e-5 * (i + 1)}} for i in range(8)]  # none ends soon
        lecturer.send(orjson.dumps({"type": "start", "runs": runs, "batch": True, "max_steps": 20000}).decode())
        until(lecturer, "frames")
        for _ in range(20):
            lecturer.send('{"type": "step", "n": 50}')
            last = until(lecturer, "frames")[-1]  # each within 5 s (liveness), however full the stalled queue is
        assert last["step"] == 1_000
        # The follower that reads got the same newest frames as the lecturer.
        heard: dict[str, Any] = {}
        while heard.get("step") != 1_000:
            heard = until(reader, "frames")[-1]
        assert {k: v for k, v in heard.items() if k != "sent_at"} == last
        stalled.socket.close()


def test_a_slow_followers_queue_keeps_the_newest_frames_and_every_reply() -> None:
    from app.rooms.follow import MAX_QUEUED, Follower

    async def never(text: str) -> None:
        raise AssertionError("not sent in this test")

    follower = Follower(never, "f")
    follower.put('{"type":"question"}', False)
    for step in range(1, 1000):
        follower.put(orjson.dumps({"type": "frames", "step": step, "frames": []}).decode(), True)
    follower.put('{"type":"playback"}', False)
    kinds = [orjson.loads(text)["type"] for text, _ in follower.queue]
    assert len(follower.queue) <= MAX_QUEUED + 1
    assert kinds[0] == "question" and kinds[-1] == "playback"
    steps = [orjson.loads(text)["step"] for text, frames in follower.queue if frames]
    assert steps == list(range(1000 - len(steps), 1000))  # the newest, in order


def test_a_follower_keeping_up_is_written_to_at_once_and_one_backed_up_queues_in_order() -> None:
    from app.rooms.follow import Follower, Hub
    from app.rooms.wire import text_frame

    class Socket:  # a follower's socket as app/rooms/wire.py's Wire shows it
        def __init__(self) -> None:
            self.open, self.written = True, []

        def ready(self) -> bool:
            return self.open

        def write(self, frame: bytes) -> None:
            self.written.append(frame)

    hub = Hub("ROOM22", None)  # type: ignore[arg-type]  (offer only asks it for the present when far behind)
    socket = Socket()
    follower = Follower(None, "f", socket)  # type: ignore[arg-type]
    texts = [orjson.dumps({"type": "frames", "step": step, "frames": []}).decode() for step in range(6)]
    assert follower.offer(texts[0], text_frame(texts[0]), True, hub)
    socket.open = False  # backed up: queued, not written
    assert not follower.offer(texts[1], text_frame(texts[1]), True, hub)
    socket.open = True  # writable again, but an older message waits: this one queues behind it, in order
    assert not follower.offer(texts[2], text_frame(texts[2]), True, hub)
    assert [text for text, _ in follower.queue] == texts[1:3]
    follower.queue.clear()
    follower.sending = True  # the follower's task is sending the last queued message: still behind it
    assert not follower.offer(texts[3], text_frame(texts[3]), True, hub)
    follower.queue.clear()
    follower.sending = False
    assert follower.offer(texts[4], text_frame(texts[4]), True, hub)
    # What was written is a websocket text frame of the very same bytes (unmasked, one frame).
    frame = socket.written[-1]
    assert frame[0] == 0x81 and frame[1] == len(texts[4]) and frame[2:] == texts[4].encode()

    # Fallen behind: once the socket drains, everything queued goes out together, oldest first.
    async def catch_up() -> None:
        drained = asyncio.Event()
        socket.drained = drained.wait  # type: ignore[attr-defined]
        socket.open = False
        for text in texts:
            follower.offer(text, text_frame(text), True, hub)
        task = asyncio.create_task(follower.run())
        await asyncio.sleep(0.01)
        assert len(socket.written) == 2 and len(follower.queue) == len(texts)  # nothing written while backed up
        socket.open = True
        drained.set()
        while follower.queue or follower.sending:
            await asyncio.sleep(0.001)
        task.cancel()

    asyncio.run(catch_up())
    assert socket.written[-1] == b"".join(text_frame(text) for text in texts)


def test_a_second_lecturer_page_takes_the_room_over_from_the_first(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as first, ws(port, room) as follower:
        until(first, "room")
        until(follower, "room")
        with ws(port, room, room["token"]) as second:
            until(second, "room")
            closed = until(first, "room_closed")[-1]
            assert closed["reason"] == "lecturer_elsewhere"
            assert closed["message"] == load_messages("en")["room.closed.lecturer_elsewhere"]
            second.send(orjson.dumps({"type": "start", "runs": [QUADRATIC], "batch": True}).decode())
            assert until(follower, "started")[-1]["runs"][0]["hyperparameters"]["lr"] == 0.1


def test_a_late_joiner_after_a_branch_still_gets_the_whole_path(port: int) -> None:
    room = open_room(port)
    with ws(port, room, room["token"]) as lecturer:
        lecturer.send(orjson.dumps({"type": "start", "runs": [QUADRATIC], "batch": True}).decode())
        lecturer.send('{"type": "step", "n": 6}')
        until(lecturer, "frames")
        until(lecturer, "frames")
        lecturer.send('{"type": "update", "hyperparameters": {"lr": 0.3}}')
        until(lecturer, "frames")
        lecturer.send('{"type": "step", "n": 2}')
        last = until(lecturer, "frames")[-1]
        with ws(port, room) as late:
            joined = until(late, "cursor")
            frames = next(m for m in joined if m["type"] == "frames")["frames"]
            assert [f["step"] for f in frames] == list(range(9))
            assert frames[-1] == last["frames"][-1]
            assert frames[6]["lr"] == 0.1 and frames[7]["lr"] == 0.3  # the branch at step 6, as the run says


def test_followers_see_when_the_lecturer_leaves_and_comes_back_and_the_room_outlives_it(port: int) -> None:
    room = open_room(port)
    with ws(port, room) as follower:
        until(follower, "room")
        with ws(port, room, room["token"]) as lecturer:
            until(lecturer, "room")
            assert until(follower, "room", raw=False)[-1]["lecturer_connected"] is True
            lecturer.send(orjson.dumps({"type": "question", "kind": "start", "run": QUADRATIC}).decode())
            until(follower, "question")
        assert until(follower, "room")[-1]["lecturer_connected"] is False
        info = httpx.get(url(port, f"/api/v1/rooms/{room['code']}")).json()
        assert info["lecturer_connected"] is False and info["question"]["kind"] == "start"
        # The lecturer's page reconnects: the question it opened is still there, and answers reach it.
        with ws(port, room, room["token"]) as lecturer:
            follower.send('{"type": "answer", "value": [3.5]}')
            until(follower, "answer_taken")
            answers = until(lecturer, "answers", raw=False)
            while answers[-1]["count"] != 1:
                answers = until(lecturer, "answers")
            assert answers[-1]["answers"] == [{"label": "#1", "value": [3.5], "name": None}]

"""Rooms across processes joined by a real Redis: the lecturer on one `hillside` process, followers on another.

The lecturer's process is `python -m app --port P --redis URL`, started here and stopped by its pid; the
followers' is this test process serving the app in a thread (tests/serving.py), on the same Redis. Redis is
Debian's redis-server on a free port (tests/redis_server.py), restarted in the middle of a lecture in one test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from websockets.sync.client import ClientConnection, connect

from app.settings import Settings
from tests.redis_server import (
    RedisServer,
    free_port,
    redis_server,  # noqa: F401  (the fixture)
)
from tests.serving import serving

ROOT = Path(__file__).resolve().parent.parent
QUADRATIC = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.05}, "start": [8]}
WAIT = 8.0


class Hillside:
    """One `hillside` process on 127.0.0.1 and a free port, sharing rooms through Redis."""

    def __init__(self, redis_url: str) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "--port", str(self.port), "--redis", redis_url],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hillside exited with code {self.process.returncode}")
            try:
                if httpx.get(self.url("/api/v1/functions"), timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("hillside did not answer within 60 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ws(self, code: str, token: str | None = None) -> ClientConnection:
        query = f"?token={token}" if token else ""
        return connect(f"ws://127.0.0.1:{self.port}/ws/rooms/{code}{query}", max_size=None, open_timeout=WAIT)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


class InThread:
    """The second process's part played by this test process: the app under uvicorn in a thread, on Redis."""

    def __init__(self, port: int) -> None:
        self.port = port

    url = Hillside.url
    ws = Hillside.ws


@pytest.fixture(scope="module")
def two(redis_server: RedisServer) -> Iterator[tuple[Hillside, InThread]]:  # noqa: F811
    lecturing = Hillside(redis_server.url)
    try:
        with serving(Settings(redis_url=redis_server.url), name="hillside-rooms-followers") as port:
            lecturing.wait_ready()
            yield lecturing, InThread(port)
    finally:
        lecturing.stop()


def until(conn: ClientConnection, kind: str, also: Any = None) -> list[dict[str, Any]]:
    """Messages up to the first of ``kind`` (for which ``also(message)`` holds, if given)."""
    seen = []
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        message = orjson.loads(conn.recv(timeout=max(0.01, deadline - time.monotonic())))
        seen.append(message)
        if message["type"] == kind and (also is None or also(message)):
            return seen
    raise AssertionError(f"no {kind} within {WAIT} s; got {[m['type'] for m in seen]}")


def open_room(process: Hillside) -> dict[str, Any]:
    answer = httpx.post(process.url("/api/v1/rooms"))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_followers_on_another_process_see_the_lecturers_step_play_and_view(two: tuple[Hillside, InThread]) -> None:
    lecturing, following = two
    room = open_room(lecturing)
    code = room["code"]
    # The room is known on the other process too (REST and the join page).
    assert httpx.get(following.url(f"/api/v1/rooms/{code}")).json()["code"] == code
    with lecturing.ws(code, room["token"]) as lecturer, following.ws(code) as ann, following.ws(code) as bob:
        for follower in (ann, bob):
            until(follower, "room")
        until(lecturer, "room", lambda m: m["followers"] == 2)
        lecturer.send(orjson.dumps({"type": "view", "state": {"page": "/2d", "scene": "valley"}}).decode())
        lecturer.send(orjson.dumps({"type": "start", "runs": [QUADRATIC], "batch": True}).decode())
        lecturer.send('{"type": "step", "n": 4}')
        own = until(lecturer, "frames", lambda m: m["step"] == 4)[-1]
        for follower in (ann, bob):
            seen = until(follower, "frames", lambda m: m["step"] == 4)
            assert {"type": "view", "state": {"page": "/2d", "scene": "valley"}} in seen
            assert {k: v for k, v in seen[-1].items() if k != "sent_at"} == own
            assert seen[-1]["sent_at"] > 0  # stamped on the lecturer's process, carried through Redis
        lecturer.send('{"type": "play", "fps": 60}')
        playing = until(lecturer, "playback")[-1]
        assert playing["playing"] is True
        for follower in (ann, bob):
            assert until(follower, "playback")[-1] == playing
            later = until(follower, "frames", lambda m: m["step"] >= 10)[-1]
            assert later["frames"][0]["run"] == 0
        lecturer.send('{"type": "pause"}')
        paused = until(lecturer, "playback", lambda m: not m["playing"])[-1]
        for follower in (ann, bob):
            assert until(follower, "playback", lambda m: not m["playing"])[-1] == paused
        # A follower joining late, on the other process, gets the present at once.
        with following.ws(code) as late:
            joined = until(late, "cursor")
            assert [m["type"] for m in joined] == ["room", "view", "started", "frames", "cursor"]
            assert joined[-1]["step"] == paused["step"]
            steps = sorted(f["step"] for f in joined[3]["frames"])
            assert steps == list(range(paused["step"] + 1))
        # Only the token holder drives, here too.
        ann.send('{"type": "pause"}')
        assert until(ann, "error")[-1]["key"] == "room.error.follower_cannot_drive"


def test_a_redis_restart_loses_nothing_the_lecturer_showed(
    two: tuple[Hillside, InThread],
    redis_server: RedisServer,  # noqa: F811
) -> None:
    lecturing, following = two
    room = open_room(lecturing)
    code = room["code"]
    with lecturing.ws(code, room["token"]) as lecturer, following.ws(code) as follower:
        until(follower, "room")
        lecturer.send(orjson.dumps({"type": "view", "state": {"page": "/1d"}}).decode())
        lecturer.send(orjson.dumps({"type": "start", "runs": [QUADRATIC], "batch": True}).decode())
        lecturer.send('{"type": "step", "n": 5}')
        until(lecturer, "frames", lambda m: m["step"] == 5)
        until(follower, "frames", lambda m: m["step"] == 5)
        redis_server.restart()  # everything in Redis is gone, as in a crash without persistence
        lecturer.send('{"type": "step", "n": 2}')
        until(lecturer, "frames", lambda m: m["step"] == 7)
        # The follower recovers: it is sent the present again, with what it missed while Redis was away.
        again = until(follower, "cursor", lambda m: m["step"] == 7)
        assert any(m["type"] == "started" for m in again)
        frames = next(m for m in reversed(again) if m["type"] == "frames")
        assert sorted(f["step"] for f in frames["frames"])[-1] == 7
        # The room lives on in Redis: REST on either process, a late joiner, and new steps reach followers.
        assert httpx.get(following.url(f"/api/v1/rooms/{code}")).json()["page"] == "/1d"
        with following.ws(code) as late:
            joined = until(late, "cursor")
            assert joined[-1]["step"] == 7
        lecturer.send('{"type": "step", "n": 1}')
        until(follower, "frames", lambda m: m["step"] == 8)

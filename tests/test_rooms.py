"""Lecture rooms on a real server: a lecturer drives, followers see the same bytes, the class races itself.

Everything runs against the app under uvicorn on a free port (tests/serving.py) with real websockets; the
multi-process Redis tests are in tests/test_rooms_redis.py.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
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
        assert [t for t in said if '"room"' not in t] == [t for t in heard if '"room"' not in t]
        lecturer.send('{"type": "step", "n": 3}')
        said = until(lecturer, "frames", raw=True)
        heard = until(follower, "frames", raw=True)
        assert said == heard
        assert orjson.loads(heard[-1])["step"] == 3

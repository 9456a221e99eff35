"""Where rooms live: the interface every process uses, and its in-memory version (one process, the default).

A room is: its record (token digest, whether its lecturer is connected, the page shown, the open question),
the stored present (the stateful messages since the last ``started``, compacted now and then), a running
sequence number, the answers to its question, and its followers counted per process. Two streams join the
processes: *down* (lecturer -> followers: each relayed message, ``resync`` after a rewrite, ``closed``) and
*up* (followers -> lecturer: ``answers`` or ``followers`` changed, ``takeover`` by a newer lecturer).
The Redis version (app/rooms/redis_backend.py) keeps the same things in Redis with a TTL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

# A down-stream event: ("message", seq, text), ("resync", seq, ""), ("closed", 0, reason).
Down = Callable[[str, int, str], None]
Up = Callable[[str], None]


class Backend(Protocol):
    process: str

    async def create(self, code: str, digest: str, ttl: float) -> bool: ...
    async def info(self, code: str) -> dict[str, Any] | None: ...
    async def update(self, code: str, fields: dict[str, Any]) -> None: ...
    async def touch(self, code: str, ttl: float) -> bool: ...
    async def revive(self, code: str, digest: str, ttl: float) -> bool: ...
    async def end(self, code: str, reason: str) -> None: ...
    async def publish(self, code: str, text: str, store: str, keep: list[str] | None = None) -> int: ...
    async def rewrite(self, code: str, texts: list[str], resync: bool) -> None: ...
    async def present(self, code: str) -> tuple[int, list[str]]: ...
    async def put_answer(self, code: str, follower: str, record: dict[str, Any], limit: int) -> bool: ...
    async def answers(self, code: str) -> list[dict[str, Any]]: ...
    async def clear_answers(self, code: str) -> None: ...
    async def set_followers(self, code: str, count: int) -> None: ...
    async def followers(self, code: str) -> int: ...
    async def notify_host(self, code: str, event: str) -> None: ...
    async def listen(self, code: str, callback: Down) -> None: ...
    def unlisten(self, code: str, callback: Down) -> None: ...
    async def listen_host(self, code: str, callback: Up) -> None: ...
    def unlisten_host(self, code: str, callback: Up) -> None: ...
    async def close(self) -> None: ...


@dataclass
class MemoryRoom:
    digest: str
    expires: float
    fields: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    stored: list[str] = field(default_factory=list)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    followers: dict[str, int] = field(default_factory=dict)


class MemoryBackend:
    """Everything in this process's memory; events are delivered at once, in the order they happen."""

    process = "local"

    def __init__(self) -> None:
        self.rooms: dict[str, MemoryRoom] = {}
        self.down: dict[str, list[Down]] = {}
        self.up: dict[str, list[Up]] = {}

    def _room(self, code: str) -> MemoryRoom | None:
        room = self.rooms.get(code)
        if room is not None and room.expires < time.monotonic():
            del self.rooms[code]
            return None
        return room

    def purge(self) -> None:
        """Forget rooms past their idle time (looked up or not)."""
        now = time.monotonic()
        for code in [code for code, room in self.rooms.items() if room.expires < now]:
            del self.rooms[code]

    async def create(self, code: str, digest: str, ttl: float) -> bool:
        if self._room(code) is not None:
            return False
        self.rooms[code] = MemoryRoom(digest, time.monotonic() + ttl)
        return True

    async def info(self, code: str) -> dict[str, Any] | None:
        room = self._room(code)
        return None if room is None else {"digest": room.digest, **room.fields}

    async def update(self, code: str, fields: dict[str, Any]) -> None:
        room = self._room(code)
        if room is not None:
            room.fields.update(fields)

    async def touch(self, code: str, ttl: float) -> bool:
        room = self._room(code)
        if room is None:
            return False
        room.expires = time.monotonic() + ttl
        return True

    async def revive(self, code: str, digest: str, ttl: float) -> bool:
        """Memory is never lost under a live host: a room missing here was closed or expired."""
        return False

    async def end(self, code: str, reason: str) -> None:
        self.rooms.pop(code, None)
        self._down(code, "closed", 0, reason)

    async def publish(self, code: str, text: str, store: str, keep: list[str] | None = None) -> int:
        """Send ``text`` down; ``store``: "append" it to the present, "reset" the present to ``keep`` + it, or "no"."""
        room = self._room(code)
        if room is None:
            return 0
        room.seq += 1
        if store == "reset":
            room.stored = [*(keep or []), text]
        elif store == "append":
            room.stored.append(text)
        self._down(code, "message", room.seq, text)
        return room.seq

    async def rewrite(self, code: str, texts: list[str], resync: bool) -> None:
        room = self._room(code)
        if room is not None:
            room.stored = list(texts)
            if resync:
                self._down(code, "resync", room.seq, "")

    async def present(self, code: str) -> tuple[int, list[str]]:
        room = self._room(code)
        return (0, []) if room is None else (room.seq, list(room.stored))

    async def put_answer(self, code: str, follower: str, record: dict[str, Any], limit: int) -> bool:
        room = self._room(code)
        if room is None or (follower not in room.answers and len(room.answers) >= limit):
            return False
        room.answers[follower] = record
        return True

    async def answers(self, code: str) -> list[dict[str, Any]]:
        room = self._room(code)
        return [] if room is None else sorted(room.answers.values(), key=lambda a: a["first"])

    async def clear_answers(self, code: str) -> None:
        room = self._room(code)
        if room is not None:
            room.answers.clear()

    async def set_followers(self, code: str, count: int) -> None:
        room = self._room(code)
        if room is not None:
            room.followers[self.process] = count

    async def followers(self, code: str) -> int:
        room = self._room(code)
        return 0 if room is None else sum(room.followers.values())

    async def notify_host(self, code: str, event: str) -> None:
        for callback in list(self.up.get(code, ())):
            callback(event)

    def _down(self, code: str, kind: str, seq: int, text: str) -> None:
        for callback in list(self.down.get(code, ())):
            callback(kind, seq, text)

    async def listen(self, code: str, callback: Down) -> None:
        self.down.setdefault(code, []).append(callback)

    def unlisten(self, code: str, callback: Down) -> None:
        _remove(self.down, code, callback)

    async def listen_host(self, code: str, callback: Up) -> None:
        self.up.setdefault(code, []).append(callback)

    def unlisten_host(self, code: str, callback: Up) -> None:
        _remove(self.up, code, callback)

    async def close(self) -> None:
        return None


def _remove(table: dict[str, list[Any]], code: str, callback: Any) -> None:
    callbacks = table.get(code)
    if callbacks and callback in callbacks:
        callbacks.remove(callback)
        if not callbacks:
            del table[code]

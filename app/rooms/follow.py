"""The followers of a room in this process: one stream in, each message sent as the same text to each follower.

A ``Hub`` listens to its room's down-stream once per process and keeps the room's present (app/rooms/
present.py), so a joiner gets it at once without asking anyone. Each message is framed once and written
straight to every follower whose socket is keeping up (app/rooms/wire.py): no task woken, nothing awaited
per follower. A follower whose socket is backed up (or that has replies or a catch-up waiting) gets its
messages through its bounded queue and its own task instead, in order: it loses its oldest frames (the newest
always arrive) and never holds up the lecturer, the hub or the other followers; one that falls hopelessly
behind is sent the present again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from app.rooms.backend import Backend
from app.rooms.present import Present, kind_of
from app.rooms.wire import Wire, text_frame

MAX_QUEUED = 64  # messages waiting for one follower; past it, its oldest frames are dropped
MAX_REPLIES = 256  # past this many non-frame messages waiting, the follower gets the present again instead
FRAME_KINDS = frozenset({"frame", "frames"})


class Follower:
    """One follower's connection: what waits to be sent, and the task that sends it."""

    def __init__(self, send: Callable[[str], Awaitable[None]], ident: str, wire: Wire | None = None) -> None:
        self.send = send
        self.id = ident
        self.wire = wire  # None: every message goes through the queue and ``send``
        self.queue: deque[tuple[str, bool]] = deque()
        self.sending = False  # the task is sending a queued message: what comes next must queue behind it
        self.ready = asyncio.Event()
        self.dropped = 0
        self.closing: str | None = None  # the room_closed text, once the room ended
        self.answered_at: float | None = None
        self.question_id: str | None = None

    def offer(self, text: str, frame: bytes, frames: bool, hub: Hub) -> bool:
        """A room message (``frame``: it framed); written at once if nothing waits before it and the socket
        keeps up, else queued. True if it was written."""
        wire = self.wire
        if wire is not None and not self.queue and not self.sending and self.closing is None and wire.ready():
            wire.write(frame)
            return True
        self.put(text, frames, hub)
        return False

    def put(self, text: str, frames: bool, hub: Hub | None = None) -> None:
        self.queue.append((text, frames))
        if len(self.queue) > MAX_QUEUED:
            for i, (_, is_frames) in enumerate(self.queue):
                if is_frames:
                    del self.queue[i]
                    self.dropped += 1
                    break
            else:
                if len(self.queue) > MAX_REPLIES and hub is not None:
                    self.queue.clear()
                    self.queue.extend((m, kind_of(m) in FRAME_KINDS) for m in hub.join_messages())
        self.ready.set()

    async def run(self) -> None:
        """Send what is queued, oldest first, until cancelled (or the room closes, or the socket does).

        With a wire, everything queued goes out in one write once the socket has drained: a follower that fell
        behind catches up with one system call, not one per message.
        """
        while True:
            await self.ready.wait()
            self.ready.clear()
            self.sending = True
            try:
                while self.queue:
                    if self.wire is None:
                        text, _ = self.queue.popleft()
                        await self.send(text)
                        continue
                    await self.wire.drained()
                    if not self.wire.ready():
                        return  # closed meanwhile: the receiving side sees the disconnect
                    batch = b"".join(text_frame(text) for text, _ in self.queue)
                    self.queue.clear()
                    self.wire.write(batch)
            finally:
                self.sending = False
            if self.closing is not None:
                return


class Hub:
    """This process's followers of one room and the room's present as seen from here."""

    def __init__(self, code: str, backend: Backend) -> None:
        self.code = code
        self.backend = backend
        self.followers: dict[str, Follower] = {}
        self.present = Present()
        self.seq = 0
        self.lecturer_connected = False
        self.followers_total = 0
        self._buffer: list[tuple[str, int, str]] | None = None
        self._loading: asyncio.Task[None] | None = None
        self.on_closed: Callable[[str], None] | None = None

    async def start(self) -> None:
        """Listen, then load the stored present; what arrives meanwhile is applied after it, without repeats."""
        self._buffer = []
        await self.backend.listen(self.code, self.deliver)
        await self.load()

    async def load(self, keep_if_empty: bool = False) -> bool:
        """Rebuild the present from the store; False (and nothing changed) if the store is empty and kept."""
        self._buffer = self._buffer if self._buffer is not None else []
        try:
            seq, stored = await self.backend.present(self.code)
        except BaseException:
            self._flush(self.seq)
            raise
        if stored or not keep_if_empty:
            present = Present()
            for text in stored:
                present.apply(text)
            self.present, self.seq = present, seq
        self._flush(seq if stored or not keep_if_empty else self.seq)
        return bool(stored)

    def _flush(self, seq: int) -> None:
        buffered, self._buffer = self._buffer or [], None
        for kind, event_seq, text in buffered:
            if kind != "message" or event_seq > seq:
                self.deliver(kind, event_seq, text)

    async def resync(self) -> None:
        """Load the stored present again and send it to every follower here (after Redis came back)."""
        if not await self.load(keep_if_empty=True):
            return  # the lecturer's process has not written it again yet; its "resync" will come
        messages = self.join_messages()
        for follower in self.followers.values():
            follower.queue.clear()
            for text in messages:
                follower.put(text, kind_of(text) in FRAME_KINDS, self)

    def stop(self) -> None:
        self.backend.unlisten(self.code, self.deliver)

    def deliver(self, kind: str, seq: int, text: str) -> None:
        if self._buffer is not None:
            self._buffer.append((kind, seq, text))
            return
        if kind == "resync":
            if self._loading is None or self._loading.done():
                self._loading = asyncio.get_running_loop().create_task(self.resync())
            return
        if kind == "closed":
            if self.on_closed is not None:
                self.on_closed(text)
            return
        if seq and seq <= self.seq:
            return  # already part of the present loaded
        self.seq = max(self.seq, seq)
        message_kind = kind_of(text)
        if message_kind == "room":
            with contextlib.suppress(orjson.JSONDecodeError):
                room = orjson.loads(text)
                self.lecturer_connected = bool(room.get("lecturer_connected"))
        self.present.apply(text)
        frames = message_kind in FRAME_KINDS
        frame = text_frame(text)  # once for every follower of this process
        for follower in self.followers.values():
            follower.offer(text, frame, frames, self)

    def room_message(self) -> str:
        return orjson.dumps(
            {
                "type": "room",
                "code": self.code,
                "followers": self.followers_total,
                "lecturer_connected": self.lecturer_connected,
            }
        ).decode()

    def join_messages(self) -> list[str]:
        return [self.room_message(), *self.present.join_messages()]

    def add(self, follower: Follower) -> None:
        for text in self.join_messages():
            follower.put(text, kind_of(text) in FRAME_KINDS, self)
        self.followers[follower.id] = follower

    def remove(self, follower: Follower) -> None:
        self.followers.pop(follower.id, None)

    def question(self) -> dict[str, Any] | None:
        return self.present.question

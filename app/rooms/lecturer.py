"""The lecturer's websocket as the ordinary /ws handler sees it: every send is teed to the room.

``LecturerSocket`` stands in for Starlette's WebSocket in app/api/live.py's handler, which then runs the
lecturer's session exactly as it runs anyone's (commands, playback, budgets, coalescing). Outgoing messages
are handed to the room's host (app/rooms/host.py) before they are sent, encoded once by the handler;
incoming room-only messages (view, question, race...) are taken out and answered by the host, and a
``race`` comes back in as an ordinary ``start``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from starlette.websockets import WebSocket

from app.api.live import RateLimiter
from app.redis_link import RedisUnavailable
from app.rooms.host import ROOM_TYPES, Host, dumps
from app.rooms.questions import RoomError

logger = logging.getLogger("hillside.rooms")

MAX_INBOX = 200  # messages read but not yet taken by the handler (it reads promptly; this only bounds a flood)
ROOM_RATE, ROOM_BURST = 10.0, 20.0  # room messages a second (a question computes a Hessian)


class LecturerSocket:
    """A WebSocket-like object: ``receive`` and ``send_*`` as Starlette's, with the room in between."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.app = websocket.app
        self.host: Host | None = None
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(MAX_INBOX)
        self.lock = asyncio.Lock()  # the handler's sender and the host both send: one frame at a time
        self.reader: asyncio.Task[None] | None = None
        self.limiter = RateLimiter(ROOM_RATE, ROOM_BURST)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.websocket, name)

    @property
    def application_state(self) -> Any:
        return self.websocket.application_state

    # ----- in ------------------------------------------------------------------------------------------------

    async def receive(self) -> dict[str, Any]:
        if self.reader is None:
            self.reader = asyncio.create_task(self._read())
        return await self.inbox.get()

    async def _read(self) -> None:
        while True:
            try:
                raw = await self.websocket.receive()
            except Exception:  # a dropped socket: the handler sees a disconnect, as it would have
                raw = {"type": "websocket.disconnect", "code": 1006}
            if raw["type"] == "websocket.receive" and self.host is not None:
                message = _room_message(raw)
                if message is not None:
                    if self.limiter.allow():
                        await self._handle(message)
                    else:
                        error = RoomError(
                            "room.error.too_fast", f"At most {ROOM_RATE:g} room messages a second.", rate=ROOM_RATE
                        )
                        await self.send_own(dumps(error.message()))
                    continue
            await self.inbox.put(raw)
            if raw["type"] == "websocket.disconnect":
                return

    async def _handle(self, message: dict[str, Any]) -> None:
        """The host's answer to a room message; Redis away or a bug there never ends the lecturer's reading."""
        assert self.host is not None
        try:
            await self.host.handle(message)
        except RedisUnavailable:
            error = RoomError("room.error.unavailable", "The room cannot be reached for a moment; try again.")
            await self.send_own(dumps(error.message()))
        except Exception:
            logger.exception("Room %s: a %s message failed", self.host.code, message.get("type"))
            error = RoomError("room.error.unavailable", "The room could not do that just now; try again.")
            await self.send_own(dumps(error.message()))

    def inject(self, message: dict[str, Any]) -> None:
        """A command from the room (a race's ``start``), carried out as if the lecturer had sent it."""
        with contextlib.suppress(asyncio.QueueFull):
            self.inbox.put_nowait({"type": "websocket.receive", "text": orjson.dumps(message).decode()})

    # ----- out -----------------------------------------------------------------------------------------------

    async def send_text(self, data: str) -> None:
        if self.host is not None:
            self.host.relay(data)
        async with self.lock:
            await self.websocket.send_text(data)

    async def send_bytes(self, data: bytes) -> None:
        if self.host is not None:
            self.host.relay(data.decode())
        async with self.lock:
            await self.websocket.send_bytes(data)

    async def send(self, message: dict[str, Any]) -> None:
        if message.get("type") == "websocket.send" and self.host is not None:
            data = message.get("text") or (message.get("bytes") or b"").decode()
            self.host.relay(data)
        async with self.lock:
            await self.websocket.send(message)

    async def send_own(self, text: str) -> None:
        """A message for the lecturer only (follower counts, answers, the room's errors)."""
        async with self.lock:
            await self.websocket.send_text(text)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        await self.websocket.close(code, reason)

    async def stop(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


def _room_message(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The message if it is one of the room's own (view, question, race...), else None (the handler's)."""
    text = raw.get("text")
    if text is None:
        data = raw.get("bytes") or b""
        if len(data) > 64 * 1024:
            return None
        text = data.decode("utf-8", "replace")
    if len(text) > 64 * 1024 or not any(f'"{kind}"' in text for kind in ROOM_TYPES):
        return None  # the handler refuses what is too large, and parses the rest itself
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if isinstance(message, dict) and message.get("type") in ROOM_TYPES:
        return message
    return None

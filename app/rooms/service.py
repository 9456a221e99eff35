"""One ``Rooms`` per process: creates and ends rooms, serves lecturers and followers, and sweeps idle rooms.

The backend (app/rooms/backend.py: memory; app/rooms/redis_backend.py: Redis) holds what several processes
share; this object holds what is this process's own: its followers of each room (one Hub per room), the
per-address rate limits, and the sweeper that tells followers when a room ended by being idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app.api.live import RateLimiter
from app.pages import load_messages
from app.redis_link import RedisUnavailable
from app.rooms import codes
from app.rooms.backend import Backend, MemoryBackend
from app.rooms.follow import Follower, Hub
from app.rooms.limits import MAX_NAME_CHARACTERS, AddressLimiter, BadName, clean_name
from app.rooms.questions import Question, RoomError, answer_run
from app.rooms.wire import wire_of

MAX_FOLLOWER_MESSAGE_BYTES = 2 * 1024
FOLLOWER_RATE, FOLLOWER_BURST = 5.0, 20.0
MISSING_SWEEPS = 2  # a room missing from Redis this many sweeps in a row ended (once is a restart's gap)
CODE_ATTEMPTS = 50
COUNT_EVERY = 0.25  # seconds between this process's follower counts of one room (to Redis and the lecturer)


def closed_message(reason: str) -> str:
    key = f"room.closed.{reason}"
    text = load_messages().get(key) or load_messages()["room.closed.closed"]
    return orjson.dumps({"type": "room_closed", "reason": reason, "key": key, "message": text}).decode()


def error_text(error: RoomError) -> str:
    return orjson.dumps(error.message()).decode()


class Rooms:
    """This process's rooms: the shared backend plus its own followers, limits and sweeper."""

    def __init__(self, settings: Any, redis: Any = None) -> None:
        self.settings = settings
        if redis is not None:
            from app.rooms.redis_backend import RedisBackend

            self.backend: Backend = RedisBackend(redis)
            self.backend.on_reconnect = self._reconnected
        else:
            self.backend = MemoryBackend()
        self.hubs: dict[str, Hub] = {}
        self.starting: dict[str, asyncio.Future[Hub]] = {}
        self.creates = AddressLimiter(settings.room_create_per_minute)
        self.lookups = AddressLimiter(settings.room_lookups_per_minute)
        self.misses = AddressLimiter(settings.room_misses_per_minute)
        self.missing: dict[str, int] = {}
        self.sweeper: asyncio.Task[None] | None = None
        self.background: set[asyncio.Task[None]] = set()
        self.counting: dict[str, asyncio.Task[None]] = {}
        self.reported: dict[str, int] = {}  # this process's followers of each room, as last written

    # ----- rate limits -------------------------------------------------------------------------------------

    def limit_lookup(self, address: str) -> float:
        """Seconds to wait before this address may look a code up (0: go ahead, and it is counted).

        An address that guessed too many codes that are not live may look up nothing for a while, not only
        miss: otherwise a guess that is *not* refused would give a live code away.
        """
        wait = self.misses.check(address)
        return wait or self.lookups.take(address)

    def count_miss(self, address: str) -> None:
        self.misses.take(address)

    # ----- rooms -------------------------------------------------------------------------------------------

    async def create(self) -> tuple[str, str]:
        token = codes.new_token()
        for _ in range(CODE_ATTEMPTS):
            code = codes.new_code()
            if await self.backend.create(code, codes.digest(token), self.settings.room_idle_seconds):
                self._sweep_soon()
                return code, token
        raise RuntimeError("no free room code found")  # 887 million codes: not with a few thousand live rooms

    async def info(self, code: str) -> dict[str, Any] | None:
        info = await self.backend.info(code)
        if info is None:
            return None
        question = info.get("question")
        return {
            "code": code,
            "followers": self.followers_now(code, await self.backend.followers(code)),
            "lecturer_connected": bool(int(info.get("lecturer") or 0)),
            "page": info.get("page") or None,
            "question": orjson.loads(question) if question else None,
            "digest": info.get("digest"),
        }

    async def end(self, code: str, reason: str) -> None:
        await self.backend.end(code, reason)

    # ----- followers ---------------------------------------------------------------------------------------

    async def hub(self, code: str) -> Hub:
        """This process's hub for ``code``, started once however many followers join at the same moment."""
        if code in self.hubs:
            return self.hubs[code]
        if code in self.starting:
            return await asyncio.shield(self.starting[code])
        future: asyncio.Future[Hub] = asyncio.get_running_loop().create_future()
        self.starting[code] = future
        hub = Hub(code, self.backend)
        hub.on_closed = lambda reason: self._closed(hub, reason)
        try:
            await hub.start()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self.starting.pop(code, None)
        self.hubs[code] = hub
        future.set_result(hub)
        self._sweep_soon()
        return hub

    def _reconnected(self) -> None:
        """Redis is back: send every follower here the present again, and count them again."""
        for hub in list(self.hubs.values()):
            task = asyncio.get_running_loop().create_task(self._recover(hub))
            self.background.add(task)
            task.add_done_callback(self.background.discard)

    async def _recover(self, hub: Hub) -> None:
        with contextlib.suppress(*RedisUnavailable):
            await hub.resync()
            await self._count(hub)

    def _closed(self, hub: Hub, reason: str) -> None:
        text = closed_message(reason)
        for follower in list(hub.followers.values()):
            if follower.closing is not None:
                continue
            follower.closing = reason
            follower.put(text, False)

    def _count_soon(self, hub: Hub) -> None:
        """Count this process's followers of the room at most every COUNT_EVERY (a hall joins all at once)."""
        if hub.code in self.counting:
            return
        task = asyncio.get_running_loop().create_task(self._count_later(hub))
        self.counting[hub.code] = task
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _count_later(self, hub: Hub) -> None:
        await asyncio.sleep(COUNT_EVERY)
        self.counting.pop(hub.code, None)
        await self._count(hub)

    def followers_now(self, code: str, total: int) -> int:
        """The room's followers: ``total`` as last counted everywhere, with this process's own counted now."""
        hub = self.hubs.get(code)
        return total - self.reported.get(code, 0) + (len(hub.followers) if hub else 0)

    async def _count(self, hub: Hub) -> None:
        with contextlib.suppress(*RedisUnavailable):
            count = len(hub.followers)
            await self.backend.set_followers(hub.code, count)
            self.reported[hub.code] = count
            if not count:
                self.reported.pop(hub.code, None)
            await self.backend.notify_host(hub.code, "followers")

    async def follow(self, websocket: WebSocket, code: str, info: dict[str, Any]) -> None:
        """Serve one follower until it leaves or the room ends."""
        hub = await self.hub(code)
        hub.lecturer_connected = info["lecturer_connected"]
        hub.followers_total = info["followers"] + 1
        follower = Follower(websocket.send_text, secrets.token_hex(8), wire_of(websocket))
        hub.add(follower)
        self._count_soon(hub)
        sender = asyncio.create_task(follower.run())
        receiver = asyncio.create_task(self._receive(websocket, hub, follower))
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, receiver):
                task.cancel()
            for task in (sender, receiver):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            hub.remove(follower)
            if not hub.followers and self.hubs.get(code) is hub:
                hub.stop()
                del self.hubs[code]
            self._count_soon(hub)
            if websocket.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await websocket.close(1000)

    async def _receive(self, websocket: WebSocket, hub: Hub, follower: Follower) -> None:
        limiter = RateLimiter(FOLLOWER_RATE, FOLLOWER_BURST)
        while True:
            try:
                raw = await websocket.receive()
            except WebSocketDisconnect:
                return
            if raw["type"] == "websocket.disconnect":
                return
            text = raw.get("text")
            if text is None:
                text = (raw.get("bytes") or b"").decode("utf-8", "replace")
            try:
                if not limiter.allow():
                    raise RoomError(
                        "room.error.too_fast", f"At most {FOLLOWER_RATE:g} messages a second.", rate=FOLLOWER_RATE
                    )
                if len(text) > MAX_FOLLOWER_MESSAGE_BYTES or len(text.encode()) > MAX_FOLLOWER_MESSAGE_BYTES:
                    raise RoomError(
                        "room.error.too_large",
                        f"A follower's message is at most {MAX_FOLLOWER_MESSAGE_BYTES // 1024} KiB.",
                        limit=MAX_FOLLOWER_MESSAGE_BYTES // 1024,
                    )
                reply = await self._on_message(hub, follower, text)
            except RoomError as error:
                reply = error_text(error)
            follower.put(reply, False)

    async def _on_message(self, hub: Hub, follower: Follower, text: str) -> str:
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "ping":  # the server's clock, so the page can tell how far behind the lecturer it is
            return orjson.dumps({"type": "pong", "at": round(time.time() * 1000, 1)}).decode()
        if kind != "answer":
            raise RoomError(
                "room.error.follower_cannot_drive",
                "A follower cannot drive the room: only the lecturer can. Send an answer to an open question, "
                "or explore on your own.",
            )
        return await self._answer(hub, follower, message)

    async def _answer(self, hub: Hub, follower: Follower, message: dict[str, Any]) -> str:
        shown = hub.question()
        if not shown or not shown.get("open"):
            raise RoomError("room.error.no_question", "There is no open question to answer right now.")
        question = Question.from_message(shown)
        try:
            name = clean_name(message.get("name"))
        except BadName as error:
            raise RoomError(error.key, str(error), limit=MAX_NAME_CHARACTERS) from None
        value = message.get("value")
        run = await asyncio.to_thread(answer_run, question, value)
        if follower.question_id != question.id:
            follower.question_id, follower.answered_at = question.id, time.time()
        record = {
            "follower": follower.id,
            "question": question.id,
            "first": follower.answered_at,
            "value": value,
            "name": name,
            "run": run,
        }
        most = question.most_answers(self.settings.max_room_runners)
        try:
            taken = await self.backend.put_answer(hub.code, follower.id, record, most)
        except RedisUnavailable:
            raise RoomError("room.error.unavailable", "The room cannot take answers for a moment; try again.") from None
        if not taken:
            limit = most
            raise RoomError(
                "room.error.answers_full",
                f"This question already has {limit} answers, the most a race can run.",
                limit=limit,
            )
        with contextlib.suppress(*RedisUnavailable):
            await self.backend.notify_host(hub.code, "answers")
        return orjson.dumps({"type": "answer_taken", "value": value, "name": name}).decode()

    # ----- the idle sweep ----------------------------------------------------------------------------------

    def _sweep_soon(self) -> None:
        if self.sweeper is None or self.sweeper.done():
            self.sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> None:
        """Tell this process's followers when their room ended by itself (nobody drove it for the idle time)."""
        every = min(5.0, self.settings.room_idle_seconds / 4)
        while True:
            await asyncio.sleep(every)
            if isinstance(self.backend, MemoryBackend):
                self.backend.purge()
            for code, hub in list(self.hubs.items()):
                try:
                    gone = await self.backend.info(code) is None
                except RedisUnavailable:
                    continue
                self.missing[code] = self.missing.get(code, 0) + 1 if gone else 0
                needed = 1 if isinstance(self.backend, MemoryBackend) else MISSING_SWEEPS
                if self.missing[code] >= needed:
                    self.missing.pop(code, None)
                    self._closed(hub, "idle")
            for code in list(self.missing):
                if code not in self.hubs:
                    del self.missing[code]


async def shutdown(state: Any) -> None:
    """The process is stopping: end this process's background work on rooms (the rooms live on in Redis)."""
    rooms = getattr(state, "rooms", None)
    if rooms is None:
        return
    for task in [rooms.sweeper, *rooms.background]:
        if task is not None:
            task.cancel()
    await rooms.backend.close()


def rooms_of(state: Any) -> Rooms:
    """The process's Rooms, made on first use (tests and `hillside` alike)."""
    rooms = getattr(state, "rooms", None)
    if rooms is None:
        rooms = state.rooms = Rooms(state.settings, getattr(state, "redis", None))
    return rooms


__all__ = ["Rooms", "WebSocketDisconnect", "closed_message", "rooms_of"]

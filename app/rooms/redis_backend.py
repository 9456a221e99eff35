"""Rooms in Redis, so a lecturer on one process and followers on others share one room (``--redis``).

What a room is (app/rooms/backend.py) maps to keys under ``hillside:room:CODE`` that expire together after
the idle time (the lecturer's process refreshes them while the lecturer is connected): a hash (token
digest, lecturer connected, page, question), the stored present (a list), a sequence number, the answers
(a hash) and the followers per process (a hash). Each change that followers see is one Lua script: count,
store and PUBLISH atomically, so a joiner that subscribes, then reads the present, knows by the sequence
number which published messages it already has. Fan-out is redis-py's asyncio pub/sub: one connection per
process, one channel per room down (to followers) and one up (to the lecturer's process).

Redis restarting loses everything (no persistence in the tests, nor needed): the lecturer's process notices
within a second and writes the room and its present again; each process resubscribes, and its followers
get the present again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from typing import Any

import orjson
import redis.asyncio as aioredis

from app.redis_link import RedisUnavailable
from app.rooms.backend import Down, Up

logger = logging.getLogger("hillside.rooms")

PREFIX = "hillside:room:"
ENDED_MS = 600_000  # a closed room's code is not given out again for this long
RETRY_SECONDS = 0.3

# Every key of a room takes the room's own time to live, so the room expires as one.
_KEEP_TTL = """
local function keep(key)
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
end
"""

CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'lecturer', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
return 1
"""

UPDATE = (
    _KEEP_TTL
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""
)

END = """
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('SET', KEYS[6], '1', 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[1], 'C0 ' .. ARGV[3])
return 1
"""

PUBLISH = (
    _KEEP_TTL
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seq = redis.call('INCR', KEYS[2])
keep(KEYS[2])
if ARGV[3] == 'reset' then
  redis.call('DEL', KEYS[3])
  for i = 4, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
end
if ARGV[3] ~= 'no' then
  redis.call('RPUSH', KEYS[3], ARGV[2])
  keep(KEYS[3])
end
redis.call('PUBLISH', ARGV[1], 'M' .. seq .. ' ' .. ARGV[2])
return seq
"""
)

REWRITE = (
    _KEEP_TTL
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[3])
for i = 3, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
keep(KEYS[3])
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[2] == '1' then redis.call('PUBLISH', ARGV[1], 'R' .. seq .. ' ') end
return 1
"""
)

PUT_ANSWER = (
    _KEEP_TTL
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
keep(KEYS[2])
return 1
"""
)

SET_FOLLOWERS = (
    _KEEP_TTL
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
keep(KEYS[2])
return 1
"""
)


def _keys(code: str) -> dict[str, str]:
    base = PREFIX + code
    return {
        "main": base,
        "seq": base + ":seq",
        "present": base + ":present",
        "answers": base + ":answers",
        "followers": base + ":followers",
        "ended": base + ":ended",
        "down": base + ":down",
        "up": base + ":up",
    }


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class RedisBackend:
    """The room backend on a shared Redis; ``on_reconnect`` is called after the pub/sub connection came back."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client
        self.process = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.scripts = {
            name: client.register_script(body)
            for name, body in {
                "create": CREATE,
                "touch": TOUCH,
                "update": UPDATE,
                "end": END,
                "publish": PUBLISH,
                "rewrite": REWRITE,
                "put_answer": PUT_ANSWER,
                "set_followers": SET_FOLLOWERS,
            }.items()
        }
        self.callbacks: dict[str, list[Callable[..., None]]] = {}
        self.subscribed: dict[str, asyncio.Event] = {}
        self.pubsub: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()
        self.on_reconnect: Callable[[], None] | None = None

    # ----- the room's record -------------------------------------------------------------------------------

    async def create(self, code: str, digest: str, ttl: float) -> bool:
        k = _keys(code)
        return bool(await self.scripts["create"](keys=[k["main"], k["ended"]], args=[digest, _ms(ttl), 0]))

    async def revive(self, code: str, digest: str, ttl: float) -> bool:
        k = _keys(code)
        if await self.redis.exists(k["ended"]):
            return False
        await self.scripts["create"](keys=[k["main"], k["ended"]], args=[digest, _ms(ttl), 1])
        return True

    async def info(self, code: str) -> dict[str, Any] | None:
        fields = await self.redis.hgetall(_keys(code)["main"])
        if not fields:
            return None
        return {key.decode(): value.decode() for key, value in fields.items()}

    async def update(self, code: str, fields: dict[str, Any]) -> None:
        args: list[Any] = []
        for key, value in fields.items():
            args += [key, value]
        await self.scripts["update"](keys=[_keys(code)["main"]], args=args)

    async def touch(self, code: str, ttl: float) -> bool:
        k = _keys(code)
        keys = [k["main"], k["seq"], k["present"], k["answers"], k["followers"]]
        return bool(await self.scripts["touch"](keys=keys, args=[_ms(ttl)]))

    async def end(self, code: str, reason: str) -> None:
        k = _keys(code)
        keys = [k["main"], k["seq"], k["present"], k["answers"], k["followers"], k["ended"]]
        await self.scripts["end"](keys=keys, args=[k["down"], ENDED_MS, reason])

    # ----- the present -------------------------------------------------------------------------------------

    async def publish(self, code: str, text: str, store: str, keep: list[str] | None = None) -> int:
        k = _keys(code)
        keys = [k["main"], k["seq"], k["present"]]
        return int(await self.scripts["publish"](keys=keys, args=[k["down"], text, store, *(keep or [])]))

    async def rewrite(self, code: str, texts: list[str], resync: bool) -> None:
        k = _keys(code)
        keys = [k["main"], k["seq"], k["present"]]
        await self.scripts["rewrite"](keys=keys, args=[k["down"], "1" if resync else "0", *texts])

    async def present(self, code: str) -> tuple[int, list[str]]:
        k = _keys(code)
        async with self.redis.pipeline(transaction=True) as pipe:
            seq, stored = await pipe.get(k["seq"]).lrange(k["present"], 0, -1).execute()
        return int(seq or 0), [item.decode() for item in stored]

    # ----- answers and followers ---------------------------------------------------------------------------

    async def put_answer(self, code: str, follower: str, record: dict[str, Any], limit: int) -> bool:
        k = _keys(code)
        args = [follower, orjson.dumps(record), limit]
        return bool(await self.scripts["put_answer"](keys=[k["main"], k["answers"]], args=args))

    async def answers(self, code: str) -> list[dict[str, Any]]:
        records = [orjson.loads(value) for value in await self.redis.hvals(_keys(code)["answers"])]
        return sorted(records, key=lambda record: record["first"])

    async def clear_answers(self, code: str) -> None:
        await self.redis.delete(_keys(code)["answers"])

    async def set_followers(self, code: str, count: int) -> None:
        k = _keys(code)
        await self.scripts["set_followers"](keys=[k["main"], k["followers"]], args=[self.process, count])

    async def followers(self, code: str) -> int:
        return sum(int(value) for value in await self.redis.hvals(_keys(code)["followers"]))

    async def notify_host(self, code: str, event: str) -> None:
        await self.redis.publish(_keys(code)["up"], event)

    # ----- subscriptions -----------------------------------------------------------------------------------

    async def listen(self, code: str, callback: Down) -> None:
        await self._listen(_keys(code)["down"], callback)

    def unlisten(self, code: str, callback: Down) -> None:
        self._unlisten(_keys(code)["down"], callback)

    async def listen_host(self, code: str, callback: Up) -> None:
        await self._listen(_keys(code)["up"], callback)

    def unlisten_host(self, code: str, callback: Up) -> None:
        self._unlisten(_keys(code)["up"], callback)

    async def _listen(self, channel: str, callback: Callable[..., None]) -> None:
        """Subscribe (once per channel in this process) and return when Redis confirmed it."""
        self.callbacks.setdefault(channel, []).append(callback)
        if channel not in self.subscribed:
            self.subscribed[channel] = asyncio.Event()
            self.changed.set()
        if self.reader is None or self.reader.done():
            self.reader = asyncio.get_running_loop().create_task(self._read())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.subscribed[channel].wait(), 2.0)
        if not self.subscribed[channel].is_set():
            raise ConnectionError("Redis did not confirm the subscription")

    def _unlisten(self, channel: str, callback: Callable[..., None]) -> None:
        callbacks = self.callbacks.get(channel)
        if callbacks and callback in callbacks:
            callbacks.remove(callback)
        if callbacks == []:
            del self.callbacks[channel]
            self.subscribed.pop(channel, None)
            self.changed.set()

    async def _read(self) -> None:
        """The process's one pub/sub connection: (re)subscribe, dispatch, and come back after Redis does."""
        broken = False
        while True:
            try:
                if self.pubsub is None:
                    self.pubsub = self.redis.pubsub()
                    for event in self.subscribed.values():
                        event.clear()
                    subscribed: set[str] = set()
                if self.changed.is_set() or not subscribed:
                    self.changed.clear()
                    wanted = set(self.subscribed)
                    if wanted - subscribed:
                        await self.pubsub.subscribe(*(wanted - subscribed))
                    if subscribed - wanted:
                        await self.pubsub.unsubscribe(*(subscribed - wanted))
                    subscribed = wanted
                if not subscribed:
                    await self.changed.wait()
                    continue
                message = await self.pubsub.get_message(timeout=0.5)
                if message is not None:
                    self._dispatch(message)
                if broken and all(event.is_set() for event in self.subscribed.values()):
                    broken = False
                    logger.info("Rooms: back on Redis; followers get the present again.")
                    if self.on_reconnect is not None:
                        self.on_reconnect()
            except asyncio.CancelledError:
                raise
            except (*RedisUnavailable, aioredis.RedisError, RuntimeError) as error:
                if not broken:
                    logger.warning("Rooms: lost Redis (%s); retrying.", error)
                broken = True
                with contextlib.suppress(Exception):
                    await self.pubsub.aclose()
                self.pubsub = None
                await asyncio.sleep(RETRY_SECONDS)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"].decode()
        kind = message["type"]
        if kind == "subscribe":
            event = self.subscribed.get(channel)
            if event is not None:
                event.set()
            return
        if kind != "message":
            return
        data: bytes = message["data"]
        callbacks = list(self.callbacks.get(channel, ()))
        if channel.endswith(":up"):
            event_text = data.decode()
            for callback in callbacks:
                callback(event_text)
            return
        head, _, text = data.partition(b" ")
        kinds = {b"M": "message", b"R": "resync", b"C": "closed"}
        down_kind = kinds.get(head[:1], "message")
        decoded = text.decode()
        for callback in callbacks:
            callback(down_kind, int(head[1:] or 0), decoded)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader
        if self.pubsub is not None:
            with contextlib.suppress(Exception):
                await self.pubsub.aclose()

"""The websocket endpoint: moves messages between a socket and a LiveSession, and keeps time.

Three jobs run per connection: the receiver reads and answers commands, the
player ticks the session at the chosen frame rate on an absolute schedule
(so 30 fps means 30 steps a second without drift), and the sender drains an
outbox. The outbox coalesces: a client that reads slowly gets several steps
in one message and, past a cap, only the newest frames, so the server never
buffers without bound. When the socket closes, all three end.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from app.live.session import LiveSession, SessionError

router = APIRouter()

MAX_MESSAGE_BYTES = 64 * 1024
RATE_PER_SECOND = 50.0
RATE_BURST = 100.0
MAX_VIOLATIONS = 20
MAX_PENDING_FRAMES_PER_RUN = 256
# Replies to commands (playback, cursor, status, errors) pile up for a client that sends but never
# reads; past this many, only the newest of each kind (per run) and the last few errors are kept.
MAX_PENDING_REPLIES = 1_000
KEPT_ERRORS = 20
POLICY_VIOLATION = 1008


class Outbox:
    """Messages waiting to be sent; frames beyond the cap are dropped oldest first."""

    def __init__(self) -> None:
        self.items: deque[dict[str, Any]] = deque()
        self.frame_count = 0
        self.reply_count = 0
        self.ready = asyncio.Event()

    def put(self, messages: list[dict[str, Any]], runs: int) -> None:
        added = 0
        for message in messages:
            self.items.append(message)
            added += _frames_in(message)
        self.frame_count += added
        self.reply_count += sum(1 for message in messages if not _frames_in(message))
        if self.reply_count > MAX_PENDING_REPLIES:
            self._collapse_replies()
        # What one command asked for is always delivered whole (a `step` of 500 in an 8-run race is
        # bounded by the message limits); only frames left over from earlier ticks are dropped.
        cap = max(MAX_PENDING_FRAMES_PER_RUN * max(runs, 1), added)
        while self.frame_count > cap:
            self._drop_oldest_frames()
        if messages:
            self.ready.set()

    def _collapse_replies(self) -> None:
        """Keep every frame message, the newest reply of each kind (per run) and the last few errors, in order."""
        seen: set[tuple[str, Any]] = set()
        errors = 0
        kept: list[dict[str, Any]] = []
        for message in reversed(self.items):
            kind = message["type"]
            if kind in ("frame", "frames"):
                kept.append(message)
            elif kind == "error":
                errors += 1
                if errors <= KEPT_ERRORS:
                    kept.append(message)
            elif (kind, message.get("run")) not in seen:
                seen.add((kind, message.get("run")))
                kept.append(message)
        self.items = deque(reversed(kept))
        self.reply_count = sum(1 for message in self.items if not _frames_in(message))

    def _drop_oldest_frames(self) -> None:
        for i, message in enumerate(self.items):
            count = _frames_in(message)
            if count:
                del self.items[i]
                self.frame_count -= count
                return

    def take(self) -> list[dict[str, Any]]:
        """Everything pending, with consecutive ``frames`` batches merged into one."""
        merged: list[dict[str, Any]] = []
        for message in self.items:
            if merged and message["type"] == "frames" and merged[-1]["type"] == "frames":
                merged[-1] = {
                    "type": "frames",
                    "step": message["step"],
                    "frames": merged[-1]["frames"] + message["frames"],
                }
            else:
                merged.append(message)
        self.items.clear()
        self.frame_count = 0
        self.reply_count = 0
        self.ready.clear()
        return merged


def _frames_in(message: dict[str, Any]) -> int:
    if message["type"] == "frame":
        return 1
    if message["type"] == "frames":
        return len(message["frames"])
    return 0


class RateLimiter:
    """A token bucket: bursts are fine, a sustained flood is not."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.last = rate, burst, burst, time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


async def _sender(websocket: WebSocket, outbox: Outbox) -> None:
    while True:
        await outbox.ready.wait()
        for message in outbox.take():
            await websocket.send_text(orjson.dumps(message).decode())


async def _player(session: LiveSession, outbox: Outbox, restart: asyncio.Event, busy: asyncio.Lock) -> None:
    loop = asyncio.get_running_loop()
    while True:
        await restart.wait()
        restart.clear()
        origin, ticks = loop.time(), 0
        while session.playing and not restart.is_set():
            ticks += 1
            delay = origin + ticks / session.fps - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -1.0:  # far behind (the machine stalled): resynchronise instead of bursting
                origin, ticks = loop.time(), 0
            if restart.is_set():
                break
            async with busy:
                messages = session.tick()
            outbox.put(messages, len(session.runs))


def _error(message: str) -> dict[str, Any]:
    return {"type": "error", "message": message}


TRY_AGAIN_LATER = 1013


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    await websocket.accept()
    settings = websocket.app.state.settings
    state = websocket.app.state
    open_now = getattr(state, "live_connections", 0)
    if open_now >= settings.max_connections:
        # Each connection holds a race in memory: past the cap, say so and close rather than grow.
        await websocket.send_text(
            orjson.dumps(
                _error(f"The server is full ({settings.max_connections} live connections); try again soon.")
            ).decode()
        )
        await websocket.close(TRY_AGAIN_LATER, "server full")
        return
    state.live_connections = open_now + 1
    try:
        await _serve(websocket, settings)
    finally:
        state.live_connections -= 1


async def _serve(websocket: WebSocket, settings: Any) -> None:
    session = LiveSession(settings)
    outbox = Outbox()
    restart = asyncio.Event()
    busy = asyncio.Lock()
    limiter = RateLimiter(RATE_PER_SECOND, RATE_BURST)
    violations = 0
    tasks = [
        asyncio.create_task(_sender(websocket, outbox)),
        asyncio.create_task(_player(session, outbox, restart, busy)),
    ]
    try:
        while True:
            try:
                raw = await asyncio.wait_for(websocket.receive(), timeout=settings.websocket_idle_seconds)
            except TimeoutError:
                if session.playing:
                    continue  # a room watching a long race sends nothing, and that is fine
                minutes = settings.websocket_idle_seconds / 60
                why = f"Closed after {minutes:g} minutes without a message (a page reconnects by itself when used)."
                outbox.put([_error(why)], 0)
                await asyncio.sleep(0.05)  # let the sender deliver it
                await websocket.close(1000, "idle")
                break
            if raw["type"] == "websocket.disconnect":
                break
            text = raw.get("text")
            if text is None:
                text = (raw.get("bytes") or b"").decode("utf-8", "replace")
            if not limiter.allow():
                violations += 1
                if violations > MAX_VIOLATIONS:
                    await websocket.close(POLICY_VIOLATION, "too many messages")
                    break
                outbox.put([_error(f"Too many messages: at most {RATE_PER_SECOND:g} a second.")], 0)
                continue
            if len(text) > MAX_MESSAGE_BYTES:
                outbox.put([_error(f"Message too large: at most {MAX_MESSAGE_BYTES // 1024} KiB.")], 0)
                continue
            try:
                message = orjson.loads(text)
            except orjson.JSONDecodeError:
                outbox.put([_error('That message is not valid JSON; send an object such as {"type": "pause"}.')], 0)
                continue
            # A command may compute thousands of steps (a seek, a start from a shared link): do it in a
            # worker thread so every other stream keeps its clock; the lock keeps this session's ticks out.
            async with busy:
                try:
                    replies = await asyncio.to_thread(session.handle, message)
                except SessionError as error:
                    replies = [_error(str(error))]
            outbox.put(replies, len(session.runs))
            if session.playing and isinstance(message, dict) and message.get("type") == "play":
                restart.set()
    except WebSocketDisconnect:
        pass
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await websocket.close()

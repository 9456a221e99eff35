"""The websocket endpoint: moves messages between a socket and a LiveSession, and keeps time.

Three jobs run per connection: the receiver reads and answers commands, the
player ticks the session at the chosen frame rate on an absolute schedule
(so 30 fps means 30 steps a second without drift), and the sender drains an
outbox. The outbox coalesces: a client that reads slowly gets several steps
in one message and, past a cap, only the newest frames, so the server never
buffers without bound. When the socket closes, all three end.

The event loop only moves bytes and does the smallest ticks itself: every
command, and every tick estimated at more than ``INLINE_TICK_WORK`` operations,
is computed in the shared compute pool (app/compute.py) in short slices that
take turns with everyone else's; a tick of a race of 2D functions costs less
than handing it over would. A player that wakes late sends the steps of the
ticks it missed in one message (a few at most), so a busy server keeps the
race's speed with fewer messages; one that still falls behind awaits between
ticks, and past a second behind it plays at the rate the server can keep and
says so; after a few seconds of keeping up it tries the asked-for rate again.
Connections playing the same race share its runs (app/live/shared_runs.py).

Messages are encoded once with orjson. A plain connection whose socket keeps
up gets them written straight to the socket as one websocket frame each
(app/rooms/wire.py); anything else goes through ``websocket.send_text``, from
``_sender`` or, for the refusal of a connection past the cap, from ``live``:
a wrapper around the websocket (a lecture room's tee) has no wire, so it sees
every outgoing message there.
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

from app import memory
from app.compute import ComputePool, Share, drain, pool_of
from app.live.session import Ledger, LiveSession, SessionError
from app.live.shared_runs import SharedRuns, encode
from app.pages import load_messages
from app.rooms.wire import Wire, text_frame, wire_of

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
SLOW_AFTER_SECONDS = 1.0  # a player this far behind its clock plays slower, and says so
HEADROOM = 0.8  # ... at this share of the rate it managed, so that it keeps up afterwards
RECOVER_AFTER_SECONDS = 5.0  # a slowed player that kept up this long tries the asked-for rate again
LOCK_WAIT_SECONDS = 0.1  # a tick held up this long by a command restarts the clock instead
MAX_QUEUED_COMMANDS = 100  # commands read but not yet carried out (the rate limit keeps this short)
HEAVY_SESSION_BYTES = 32_000_000  # a session that held this much gives its memory back when it ends
# A tick estimated at most this many operations (app/runs/cost.py; a 4-runner race of 2D functions is about
# 250,000, and takes about a tenth of a millisecond) is computed on the event loop: handing it to the compute
# pool and back costs more than the tick (two thread switches, the interpreter lock passed twice).
INLINE_TICK_WORK = 1_000_000
# A player that wakes more than a frame late sends the steps of every tick it missed in one message, up to this
# many ticks: a busy server keeps the race's speed with fewer, fuller messages (at 30 fps, one at least every
# 100 ms) instead of falling behind by a message's cost each tick. Past that it falls behind, and slows.
MAX_CATCH_UP_TICKS = 3


class Outbox:
    """Messages waiting to be sent; frames beyond the cap are dropped oldest first."""

    def __init__(self, wire: Wire | None = None) -> None:
        self.items: deque[dict[str, Any]] = deque()
        self.frame_count = 0
        self.reply_count = 0
        self.ready = asyncio.Event()
        self.wire = wire  # the socket, when messages may be written straight to it (see ``_sender``)
        self.sending = False  # the sender holds messages it took and has not finished writing

    def send_now(self, messages: list[dict[str, Any]], runs: int) -> None:
        """Write ``messages`` to the socket at once when nothing waits before them and the socket keeps up (a
        tick then costs no task switch); else queue them for the sender."""
        if self.items or self.sending:
            self.put(messages, runs)
            return
        for i, message in enumerate(messages):
            if not self.write(message):  # the socket backed up: the rest waits for the sender, in order
                self.put(messages[i:], runs)
                return

    def write(self, message: dict[str, Any]) -> bool:
        """Write one message straight to the socket if it keeps up; False (nothing written) if it cannot."""
        if self.wire is None or not self.wire.ready():
            return False
        self.wire.write(text_frame(encode(message)))
        return True

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


def _wire(websocket: WebSocket) -> Wire | None:
    """A plain connection's socket, written straight to while it keeps up (app/rooms/wire.py: the ASGI send chain
    costs more than computing a shared tick). Not a wrapped one: a lecture room's tee must see every message."""
    return wire_of(websocket) if type(websocket) is WebSocket else None


async def _sender(websocket: WebSocket, outbox: Outbox) -> None:
    while True:
        await outbox.ready.wait()
        outbox.sending = True
        try:
            for message in outbox.take():
                if not outbox.write(message):  # backed up (or no wire): wait for the socket
                    await websocket.send_text(encode(message).decode())
        finally:
            outbox.sending = False


async def _player(
    session: LiveSession, outbox: Outbox, restart: asyncio.Event, busy: asyncio.Lock, pool: ComputePool, share: Share
) -> None:
    loop = asyncio.get_running_loop()
    while True:
        await restart.wait()
        restart.clear()
        wanted = (session.fps, session.skip)  # what the client asked for
        origin, ticks = loop.time(), 0
        slowed_at: float | None = None  # when playback was last slowed, while it plays slower than asked
        told = False  # the notice is given once per play, not each time a passing overload slows it again
        while session.playing and not restart.is_set():
            ticks += 1
            delay = origin + ticks / session.fps - loop.time()
            await asyncio.sleep(max(delay, 0.0))  # even when behind: other connections get their turn
            if restart.is_set():
                break
            asked = loop.time()
            async with busy:
                if loop.time() - asked > LOCK_WAIT_SECONDS:  # a command ran meanwhile: not the player's lag
                    origin, ticks = loop.time(), 0
                if not session.playing:
                    break
                due = int((loop.time() - origin) * session.fps) - ticks + 1  # this tick and any missed
                lump = min(max(due, 1), MAX_CATCH_UP_TICKS)
                ticks += lump - 1
                if session.tick_work(lump) <= INLINE_TICK_WORK:
                    messages = drain(session.tick_sliced(lump))
                else:
                    messages = await pool.run(session.tick_sliced(lump), share)
                outbox.send_now(messages, len(session.runs))
                if not session.playing or restart.is_set():  # a command changed the rate meanwhile: it wins
                    continue
                now = loop.time()
                if now - origin - ticks / session.fps > SLOW_AFTER_SECONDS:
                    outbox.put(_slow_down(session, ticks / (now - origin), notify=not told), len(session.runs))
                    told = told or (session.fps, session.skip) != wanted
                    origin, ticks = now, 0
                    slowed_at = now
                elif slowed_at is not None and now - slowed_at > RECOVER_AFTER_SECONDS:
                    # A passing overload (a class pressing play at once, a collection) must not slow the
                    # race for good: try the asked-for rate again; if it cannot be kept, it slows again.
                    session.fps, session.skip = wanted
                    outbox.put([_playback(session, slowed=False)], len(session.runs))
                    origin, ticks = now, 0
                    slowed_at = None


def _playback(session: LiveSession, slowed: bool) -> dict[str, Any]:
    return {
        "type": "playback",
        "playing": session.playing,
        "fps": session.fps,
        "skip": session.skip,
        "step": session.cursor,
        "slowed": slowed,
    }


def _slow_down(session: LiveSession, achieved: float, notify: bool = True) -> list[dict[str, Any]]:
    """Play at the rate the server keeps (fewer frames a second, then fewer steps a frame); tell the client
    (with a notice too, unless it was told already during this play)."""
    asked = session.fps * session.skip
    rate = achieved * HEADROOM  # frames a second that can be kept
    if rate >= 1:
        session.fps = float(max(1, int(rate)))
    else:
        session.fps = 1.0
        session.skip = max(1, int(session.skip * rate))
    steps = session.fps * session.skip
    if steps >= asked:
        return []  # already one step a second: nothing slower to offer, and nothing new to say
    if not notify:
        return [_playback(session, slowed=True)]
    values = {"asked": f"{asked:g}", "steps": f"{steps:g}"}
    text = load_messages()["live.slowed"]
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return [
        _playback(session, slowed=True),
        {"type": "notice", "key": "live.slowed", "values": values, "message": text},
    ]


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


async def _worker(
    session: LiveSession,
    outbox: Outbox,
    restart: asyncio.Event,
    busy: asyncio.Lock,
    pool: ComputePool,
    share: Share,
    commands: asyncio.Queue[Any],
) -> None:
    """Carry out commands in order while the receiver keeps reading, so a disconnect ends a long seek at once.

    A command may compute thousands of steps (a seek, a start from a shared link): it is done in slices in
    the compute pool, in turns with everyone else; the lock keeps this session's ticks out meanwhile.
    """
    while True:
        message = await commands.get()
        held = session.bytes()
        async with busy:
            try:
                replies = await pool.run(session.handle_sliced(message), share)
            except SessionError as error:
                replies = [_error(str(error))]
        outbox.put(replies, len(session.runs))
        if held - session.bytes() > HEAVY_SESSION_BYTES:  # a heavy race was stopped or replaced
            await pool.call(memory.give_back, share)
        if session.playing and isinstance(message, dict) and message.get("type") == "play":
            restart.set()


def _too_large(raw: dict[str, Any]) -> bool:
    """Past the cap in bytes as sent (UTF-8), not in characters: an emoji is four bytes."""
    text, data = raw.get("text"), raw.get("bytes")
    if text is not None:
        return len(text) > MAX_MESSAGE_BYTES or (
            4 * len(text) > MAX_MESSAGE_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES
        )
    return len(data or b"") > MAX_MESSAGE_BYTES


def _ledger(state: Any) -> Ledger:
    ledger = getattr(state, "live_ledger", None)
    if ledger is None:
        ledger = state.live_ledger = Ledger()
    return ledger


def _shared_runs(state: Any) -> SharedRuns:
    shared = getattr(state, "live_shared_runs", None)
    if shared is None:
        shared = state.live_shared_runs = SharedRuns()
    return shared


async def _serve(websocket: WebSocket, settings: Any) -> None:
    state = websocket.app.state
    pool = pool_of(state, settings.compute_threads)
    session = LiveSession(settings, _ledger(state), _shared_runs(state))
    outbox = Outbox(_wire(websocket))
    restart = asyncio.Event()
    busy = asyncio.Lock()
    limiter = RateLimiter(RATE_PER_SECOND, RATE_BURST)
    violations = 0
    commands: asyncio.Queue[Any] = asyncio.Queue(MAX_QUEUED_COMMANDS)
    share = Share()  # this connection's place in the compute pool's fair queue
    tasks = [
        asyncio.create_task(_sender(websocket, outbox)),
        asyncio.create_task(_player(session, outbox, restart, busy, pool, share)),
        asyncio.create_task(_worker(session, outbox, restart, busy, pool, share, commands)),
    ]
    serving = asyncio.current_task()
    # A command that fails unexpectedly ends the connection, as it did when commands ran in the receiver.
    tasks[2].add_done_callback(lambda task: task.cancelled() or task.exception() is None or serving.cancel())
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
            if not limiter.allow():
                violations += 1
                if violations > MAX_VIOLATIONS:
                    await websocket.close(POLICY_VIOLATION, "too many messages")
                    break
                outbox.put([_error(f"Too many messages: at most {RATE_PER_SECOND:g} a second.")], 0)
                continue
            if _too_large(raw):
                outbox.put([_error(f"Message too large: at most {MAX_MESSAGE_BYTES // 1024} KiB.")], 0)
                continue
            text = raw.get("text")
            if text is None:
                text = (raw.get("bytes") or b"").decode("utf-8", "replace")
            try:
                message = orjson.loads(text)
            except orjson.JSONDecodeError:
                outbox.put([_error('That message is not valid JSON; send an object such as {"type": "pause"}.')], 0)
                continue
            try:
                commands.put_nowait(message)
            except asyncio.QueueFull:
                outbox.put([_error(f"{MAX_QUEUED_COMMANDS} commands are already waiting; wait for their answers.")], 0)
    except WebSocketDisconnect:
        pass
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        session.close()
        if session.peak_bytes > HEAVY_SESSION_BYTES:
            await pool.call(memory.give_back, share)
        if websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await websocket.close()

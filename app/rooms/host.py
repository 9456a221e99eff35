"""The lecturer's side of a room, in the process where the lecturer's websocket is.

Every message the lecturer's connection receives is handed to ``relay``: it updates the present and is
queued for the publisher task, so the lecturer's own sends never wait for followers or for Redis. The host
also answers the room-only messages (view, question, race...), pushes answers and follower counts to the
lecturer (at most ``PUSH_EVERY`` apart), keeps the room alive while its lecturer is connected, and, when the
room vanished from Redis (a restart), writes it and its present again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from app.nn.run import MAX_STEPS as NETWORK_MAX_STEPS
from app.redis_link import RedisUnavailable
from app.rooms import questions
from app.rooms.backend import Backend
from app.rooms.present import RESETS, STATEFUL, Present, branch_step, kind_of
from app.rooms.questions import Question, RoomError

logger = logging.getLogger("hillside.rooms")

PUSH_EVERY = 0.25  # answers and follower counts reach the lecturer at most this often
MAX_VIEW_BYTES = 8 * 1024
COMPACT_AFTER = 2_000  # stored messages since the last rewrite before the present is rewritten compactly
MAX_OUTGOING = 1_000  # messages waiting to be published; past it (Redis stuck), the present is rewritten instead
ROOM_TYPES = frozenset({"view", "question", "question_close", "question_clear", "race"})
STEP_KINDS = frozenset({"frame", "frames"})  # the messages stamped with the moment the lecturer was sent them


def dumps(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode()


def stamped(text: str, at: float) -> str:
    """``text`` (a JSON object) with ``sent_at``: ``at`` (wall clock, seconds) in milliseconds, added last.

    Followers subtract it from the server's clock as they estimate it (their pings) to show how far behind
    the lecturer they are; the lecturer's own bytes stay as the handler encoded them.
    """
    if not text.endswith("}") or text == "{}":
        return text
    return f'{text[:-1]},"sent_at":{at * 1000:.1f}}}'


class Host:
    """One connected lecturer's room."""

    def __init__(
        self,
        code: str,
        digest: str,
        backend: Backend,
        settings: Any,
        send: Callable[[str], Awaitable[None]],
        inject: Callable[[dict[str, Any]], None],
    ) -> None:
        self.code, self.digest, self.backend, self.settings = code, digest, backend, settings
        self.send, self.inject = send, inject
        self.id = secrets.token_hex(6)
        self.present = Present()
        self.question: Question | None = None
        self.answers: list[dict[str, Any]] = []
        self.outgoing: deque[tuple[str, str, list[str] | None]] = deque()
        self.wake = asyncio.Event()
        self.push = asyncio.Event()
        self.push_answers = False
        self.dirty = False  # some messages never reached the backend: rewrite the present when it answers
        self.since_rewrite = 0
        self.closed: str | None = None  # why the room ended, once it did
        self.on_end: Callable[[str], None] | None = None
        self.tasks: list[asyncio.Task[None]] = []

    # ----- life --------------------------------------------------------------------------------------------

    async def begin(self) -> None:
        """Take the room over (a newer lecturer connection wins), load what it showed, and say hello."""
        _, stored = await self.backend.present(self.code)
        for text in stored:
            self.present.apply(text)
        if self.present.question is not None:
            self.question = Question.from_message(self.present.question)
            self.answers = await self._current_answers()
        await self.backend.notify_host(self.code, f"takeover:{self.id}")
        await self.backend.listen_host(self.code, self.on_up)
        await self.backend.listen(self.code, self.on_down)
        await self.backend.update(self.code, {"lecturer": 1})
        await self.backend.touch(self.code, self.settings.room_idle_seconds)
        self.tasks = [asyncio.create_task(job()) for job in (self._publisher, self._heartbeat, self._pusher)]
        await self.tell_all(await self._room_message(), "no")
        if self.question is not None:
            await self.send(self._answers_message())

    async def finish(self) -> None:
        """The lecturer left: followers are told, the room lives on for its idle time."""
        self.backend.unlisten_host(self.code, self.on_up)
        self.backend.unlisten(self.code, self.on_down)
        if self.closed is None:
            with contextlib.suppress(*RedisUnavailable):
                await self.backend.update(self.code, {"lecturer": 0})
                await self.backend.touch(self.code, self.settings.room_idle_seconds)
                room = {
                    "type": "room",
                    "code": self.code,
                    "followers": await self.backend.followers(self.code),
                    "lecturer_connected": False,
                }
                await self.backend.publish(self.code, dumps(room), "no")
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def on_up(self, event: str) -> None:
        if event == "answers":
            self.push_answers = True
            self.push.set()
        elif event == "followers":
            self.push.set()
        elif event.startswith("takeover:") and event != f"takeover:{self.id}":
            self._end("lecturer_elsewhere")

    def on_down(self, kind: str, seq: int, text: str) -> None:
        if kind == "closed":
            self._end(text)

    def _end(self, reason: str) -> None:
        if self.closed is None:
            self.closed = reason
            if self.on_end is not None:
                self.on_end(reason)

    # ----- relaying ----------------------------------------------------------------------------------------

    def relay(self, text: str) -> None:
        """A message the lecturer's connection is being sent: it goes to every follower too."""
        kind = kind_of(text)
        if kind in STEP_KINDS:
            text = stamped(text, time.time())
        store = "reset" if kind in RESETS else "append" if kind in STATEFUL else "no"
        if kind == "started" and branch_step(self.present.configs, orjson.loads(text).get("runs") or []) is not None:
            store = "append"  # an update's branch: the stored path before it stays (app/rooms/present.py)
        self.broadcast(text, store)

    def broadcast(self, text: str, store: str) -> None:
        """To every follower (through the backend); ``store`` says whether it is part of the present."""
        keep = self.present.kept() if store == "reset" else None
        if store != "no":
            self.present.apply(text)
        self.outgoing.append((text, store, keep))
        if len(self.outgoing) > MAX_OUTGOING:
            self.outgoing.clear()
            self.dirty = True  # followers elsewhere get the whole present again once it is rewritten
        self.wake.set()

    async def tell_all(self, text: str, store: str) -> None:
        """To every follower and to the lecturer."""
        self.broadcast(text, store)
        await self.send(text)

    async def _publisher(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.outgoing:
                text, store, keep = self.outgoing.popleft()
                try:
                    await self.backend.publish(self.code, text, store, keep)
                except RedisUnavailable:
                    self.outgoing.clear()
                    self.dirty = True
                    break
                self.since_rewrite = 0 if store == "reset" else self.since_rewrite + (store == "append")
                if self.since_rewrite > COMPACT_AFTER:
                    await self._rewrite(resync=False)

    async def _rewrite(self, resync: bool) -> None:
        await self.backend.rewrite(self.code, self.present.snapshot(), resync)
        self.since_rewrite = 0

    async def _heartbeat(self) -> None:
        """Keep the room alive; if Redis lost it (a restart), write it and its present again."""
        every = min(1.0, self.settings.room_idle_seconds / 4)
        while True:
            await asyncio.sleep(every)
            try:
                alive = await self.backend.touch(self.code, self.settings.room_idle_seconds)
                if not alive and self.closed is None:
                    if not await self.backend.revive(self.code, self.digest, self.settings.room_idle_seconds):
                        self._end("closed")
                        return
                    await self._republish()
                elif self.dirty:
                    await self._republish()
            except RedisUnavailable:
                self.dirty = True

    async def _republish(self) -> None:
        fields = {"lecturer": 1, "page": self.present.page or ""}
        fields["question"] = dumps(self.question.message()) if self.question else ""
        await self.backend.update(self.code, fields)
        most = self.question.most_answers(self.settings.max_room_runners) if self.question else 0
        for answer in self.answers:
            await self.backend.put_answer(self.code, answer["follower"], answer, most)
        self.dirty = False
        await self._rewrite(resync=True)
        logger.info("Room %s: wrote its present again after the shared store came back.", self.code)

    async def _pusher(self) -> None:
        """Follower counts and answers to the lecturer, at most every PUSH_EVERY seconds."""
        while True:
            await self.push.wait()
            self.push.clear()
            try:
                await self.send(await self._room_message())
                if self.push_answers:
                    self.push_answers = False
                    self.answers = await self._current_answers()
                    await self.send(self._answers_message())
            except RedisUnavailable:
                self.dirty = True
            await asyncio.sleep(PUSH_EVERY)

    async def _room_message(self) -> str:
        followers = await self.backend.followers(self.code)
        return dumps({"type": "room", "code": self.code, "followers": followers, "lecturer_connected": True})

    async def _current_answers(self) -> list[dict[str, Any]]:
        if self.question is None:
            return []
        return [a for a in await self.backend.answers(self.code) if a.get("question") == self.question.id]

    def _answers_message(self) -> str:
        question = self.question
        shown = [
            {"label": label, "value": answer["value"], "name": answer.get("name")}
            for answer, label in zip(self.answers, questions.labels(self.answers), strict=True)
        ]
        return dumps(
            {
                "type": "answers",
                "answers": shown,
                "count": len(shown),
                "kind": question.kind if question else None,
                "open": bool(question and question.open),
                "lambda_max": question.lambda_max if question else None,
            }
        )

    # ----- the lecturer's room-only messages -------------------------------------------------------------------

    async def handle(self, message: dict[str, Any]) -> None:
        try:
            await getattr(self, f"_on_{message['type']}")(message)
        except RoomError as error:
            await self.send(dumps(error.message()))

    async def _on_view(self, message: dict[str, Any]) -> None:
        state = message.get("state")
        if not isinstance(state, dict) or not isinstance(state.get("page"), str):
            raise RoomError("room.error.view", 'view needs a state object with a page, such as {"page": "/2d"}.')
        text = dumps({"type": "view", "state": state})
        if len(text) > MAX_VIEW_BYTES:
            raise RoomError(
                "room.error.view_too_large",
                f"A view state is at most {MAX_VIEW_BYTES // 1024} KiB.",
                limit=MAX_VIEW_BYTES // 1024,
            )
        self.broadcast(text, "append")
        with contextlib.suppress(*RedisUnavailable):
            await self.backend.update(self.code, {"page": state["page"]})

    async def _on_question(self, message: dict[str, Any]) -> None:
        question = await asyncio.to_thread(questions.open_question, message)
        self.question, self.answers = question, []
        await self.tell_all(dumps(question.message()), "append")
        with contextlib.suppress(*RedisUnavailable):
            await self.backend.clear_answers(self.code)
            await self.backend.update(self.code, {"question": dumps(question.message())})
        await self.send(self._answers_message())

    async def _on_question_close(self, message: dict[str, Any]) -> None:
        if self.question is None:
            raise RoomError("room.error.no_question", "There is no question open; send a question first.")
        self.question.open = False
        await self.tell_all(dumps({"type": "question_closed", "cleared": False}), "append")
        with contextlib.suppress(*RedisUnavailable):
            await self.backend.update(self.code, {"question": dumps(self.question.message())})

    async def _on_question_clear(self, message: dict[str, Any]) -> None:
        self.question, self.answers = None, []
        await self.tell_all(dumps({"type": "question_closed", "cleared": True}), "append")
        with contextlib.suppress(*RedisUnavailable):
            await self.backend.clear_answers(self.code)
            await self.backend.update(self.code, {"question": ""})

    async def _on_race(self, message: dict[str, Any]) -> None:
        if self.question is None:
            raise RoomError("room.error.no_question", "There is no question open; send a question first.")
        max_steps = message.get("max_steps", questions.RACE_MAX_STEPS)
        limit = self.settings.max_steps_per_run
        if "network" in self.question.run:
            limit = min(limit, NETWORK_MAX_STEPS)
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or not 1 <= max_steps <= limit:
            raise RoomError("room.error.max_steps", f"max_steps must be a whole number from 1 to {limit}.", limit=limit)
        self.answers = await self._current_answers()
        most = self.question.most_answers(self.settings.max_room_runners)
        runners = self.answers[:most]
        start = questions.race_start(self.question, runners, most, max_steps)
        labels = [None, *questions.labels(runners)]
        await self.tell_all(dumps({"type": "race", "labels": labels}), "no")
        self.inject(start)

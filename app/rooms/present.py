"""A room's present, rebuilt from the messages it relayed, so a late joiner gets it at once.

A pure reducer: ``apply`` takes each message the lecturer's connection received (as the bytes sent) and
``join_messages`` gives what a follower needs to draw the same thing: the view, the race, every run's frames
from step 0 to the cursor in one ``frames`` message, the cursor, each ended run's status, playback and the
open question. The same reducer runs in the lecturer's process (to re-publish after a Redis restart) and, fed
from Redis, in a follower's process.
"""

from __future__ import annotations

from typing import Any

import orjson

# What changes the present (stored with the room); the rest (errors, notices) is only relayed.
STATEFUL = frozenset(
    {"view", "started", "frame", "frames", "cursor", "status", "playback", "stopped", "question", "question_closed"}
)
RESETS = frozenset({"started", "stopped"})  # after these, nothing before them matters


def kind_of(data: bytes | str) -> str | None:
    """A message's ``type`` without decoding all of it (the encoder writes ``type`` first), else by decoding."""
    head = data[:40] if isinstance(data, bytes) else data[:40].encode()
    if head.startswith(b'{"type":"'):
        end = head.find(b'"', 9)
        if end > 0:
            return head[9:end].decode()
    try:
        message = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return message.get("type") if isinstance(message, dict) else None


def branch_step(old: list[Any], new: list[Any]) -> int | None:
    """The step where ``new`` branches from ``old`` if it is the same race with hyperparameter changes, else None.

    An ``update`` of hyperparameters answers ``started`` with the configs plus a change at the cursor: the
    frames up to that step are the same, so a late joiner still gets the whole path.
    """
    if not old or len(old) != len(new):
        return None
    at: int | None = None
    for before, after in zip(old, new, strict=True):
        if not isinstance(before, dict) or not isinstance(after, dict) or "changes" not in after:
            return None
        if {k: v for k, v in before.items() if k != "changes"} != {k: v for k, v in after.items() if k != "changes"}:
            return None
        was, now = before.get("changes") or [], after["changes"]
        same = 0
        while same < min(len(was), len(now)) and was[same] == now[same]:
            same += 1
        if same < len(now):
            step = now[same].get("at_step", 0)
            at = step if at is None else min(at, step)
        elif same < len(was):
            return None  # a change was taken away: not a branch of this path
    return at if at is not None else 10**9


def _dumps(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode()


class Present:
    """The state a room's followers must see, kept from the messages relayed so far."""

    def __init__(self) -> None:
        self.view: dict[str, Any] | None = None
        self.started: str | None = None
        self.frames: list[list[dict[str, Any]]] = []  # per run, in step order
        self.configs: list[Any] = []  # the runs of the last `started`
        self.cursor = 0
        self.status: dict[int, str] = {}
        self.playback: str | None = None
        self.question: dict[str, Any] | None = None

    @property
    def page(self) -> str | None:
        page = (self.view or {}).get("page")
        return page if isinstance(page, str) else None

    def apply(self, data: bytes | str) -> None:
        kind = kind_of(data)
        if kind not in STATEFUL:
            return
        raw = data.decode() if isinstance(data, bytes) else data
        message = orjson.loads(raw)
        if kind == "view":
            self.view = message.get("state")
        elif kind in RESETS:
            runs = message.get("runs") or [] if kind == "started" else []
            branch = branch_step(self.configs, runs) if kind == "started" else None
            self.started = raw if kind == "started" else None
            self.configs = runs
            if branch is None:
                self.frames = [[] for _ in runs]
                self.cursor, self.status, self.playback = 0, {}, None
            else:  # an `update` branched the same race: the path before the branch is unchanged
                for frames in self.frames:
                    while frames and frames[-1].get("step", 0) > branch:
                        frames.pop()
        elif kind == "frame":
            self._frame(message)
            self.cursor = max(self.cursor, message.get("step", 0))
        elif kind == "frames":
            for frame in message.get("frames") or []:
                self._frame(frame)
            self.cursor = message.get("step", self.cursor)
        elif kind == "cursor":
            self.cursor = message.get("step", 0)
            for frames in self.frames:
                while frames and frames[-1].get("step", 0) > self.cursor:
                    frames.pop()
        elif kind == "status":
            run = message.get("run")
            if message.get("status") == "running":
                self.status.pop(run, None)
            else:
                self.status[run] = raw
        elif kind == "playback":
            self.playback = raw
        elif kind == "question":
            self.question = message
        elif kind == "question_closed":
            self.question = None if message.get("cleared") else {**(self.question or {}), "open": False}
            if self.question == {"open": False}:
                self.question = None

    def _frame(self, frame: dict[str, Any]) -> None:
        run, step = frame.get("run"), frame.get("step", 0)
        if not isinstance(run, int) or not 0 <= run < len(self.frames):
            return
        frame.pop("sent_at", None)  # the moment a live message was sent; a joiner's catch-up is sent now
        frames = self.frames[run]
        while frames and frames[-1].get("step", 0) >= step:
            frames.pop()
        if frames and "picture" in frame:
            frames[-1].pop("picture", None)  # a network's picture is drawn from its newest frame only
        frames.append(frame)

    def join_messages(self) -> list[str]:
        """What a follower joining now receives, in order, each message encoded once."""
        out: list[str] = []
        if self.view is not None:
            out.append(_dumps({"type": "view", "state": self.view}))
        if self.started is not None:
            out.append(self.started)
            frames = sorted((f for run in self.frames for f in run), key=lambda f: (f.get("step", 0), f.get("run")))
            out.append(_dumps({"type": "frames", "step": self.cursor, "frames": frames}))
            out.append(_dumps({"type": "cursor", "step": self.cursor}))
            out.extend(self.status[run] for run in sorted(self.status))
            if self.playback is not None:
                out.append(self.playback)
        if self.question is not None:
            out.append(_dumps(self.question))
        return out

    def kept(self) -> list[str]:
        """What outlives a new race (``started``) or ``stopped``: the view and the question."""
        out = [] if self.view is None else [_dumps({"type": "view", "state": self.view})]
        return out if self.question is None else [*out, _dumps(self.question)]

    def snapshot(self) -> list[str]:
        """Messages that, applied to an empty Present, rebuild this one (what Redis keeps after compaction)."""
        return self.join_messages()
